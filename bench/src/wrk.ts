import type { ProcessGroup } from './processes.js';

/** What one wrk run measured. Latencies in milliseconds. */
export interface WrkResult {
  requestsPerSec: number;
  requests: number;
  durationSec: number;
  latency: { p50: number; p75: number; p90: number; p99: number };
  /** Responses that were not 2xx or 3xx. */
  non2xx: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Converts a wrk duration such as "612.00us", "1.20ms" or "2.00s" to milliseconds. */
export function wrkTimeToMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (!match?.[1] || !match[2]) throw new Error(`not a wrk duration: ${text}`);
  return Number(match[1]) * (UNIT_MS[match[2]] as number);
}

/**
 * Parses the text wrk prints with `--latency`: Requests/sec, the latency distribution, errors.
 *
 * @example parseWrkOutput(stdout).latency.p99 // 3.1 (ms)
 */
export function parseWrkOutput(text: string): WrkResult {
  const rps = /^Requests\/sec:\s*([\d.]+)/m.exec(text);
  if (!rps?.[1]) throw new Error(`wrk output has no Requests/sec line:\n${text.trim()}`);
  const percentile = (p: number): number => {
    const match = new RegExp(`^\\s*${p}(?:\\.0+)?%\\s+([\\d.]+(?:us|ms|s|m|h))\\s*$`, 'm').exec(text);
    if (!match?.[1]) throw new Error(`wrk output has no ${p}% latency (was --latency given?)`);
    return wrkTimeToMs(match[1]);
  };
  const total = /^\s*(\d+) requests in ([\d.]+(?:us|ms|s|m|h))/m.exec(text);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  return {
    requestsPerSec: Number(rps[1]),
    requests: total?.[1] ? Number(total[1]) : 0,
    durationSec: total?.[2] ? wrkTimeToMs(total[2]) / 1000 : 0,
    latency: { p50: percentile(50), p75: percentile(75), p90: percentile(90), p99: percentile(99) },
    non2xx: non2xx?.[1] ? Number(non2xx[1]) : 0,
    socketErrors: {
      connect: Number(socket?.[1] ?? 0),
      read: Number(socket?.[2] ?? 0),
      write: Number(socket?.[3] ?? 0),
      timeout: Number(socket?.[4] ?? 0),
    },
  };
}

/** Load parameters shared by every wrk run of a benchmark. */
export interface WrkParams {
  threads: number;
  connections: number;
  /** Measured seconds per target, over all rounds. */
  durationSec: number;
  /** Warm-up seconds before a target's first round. */
  warmupSec: number;
  /** CPU list wrk is pinned to. */
  cpu: string;
}

/** The wrk command line used, for the report (without the duration and the URL). */
export function wrkCommandLine(params: Pick<WrkParams, 'threads' | 'connections'>): string {
  return `wrk -t${params.threads} -c${params.connections} --latency --timeout 5s`;
}

/**
 * Picks, among the wrk runs of one target taken in interleaved rounds, the one with the most requests/s, with its own
 * latencies: on a shared machine other processes can only slow a target down, so the fastest round is the closest to
 * its undisturbed figures. Errors are summed over every run so that none is hidden.
 *
 * @example bestWrk([r1, r2, r3]).requestsPerSec // the highest of the three
 */
export function bestWrk(runs: WrkResult[]): WrkResult {
  const best = runs.reduce<WrkResult | undefined>(
    (a, r) => (a && a.requestsPerSec >= r.requestsPerSec ? a : r),
    undefined,
  );
  if (!best) throw new Error('no wrk run to choose from');
  const sum = (pick: (r: WrkResult) => number) => runs.reduce((total, r) => total + pick(r), 0);
  return {
    ...best,
    non2xx: sum((r) => r.non2xx),
    socketErrors: {
      connect: sum((r) => r.socketErrors.connect),
      read: sum((r) => r.socketErrors.read),
      write: sum((r) => r.socketErrors.write),
      timeout: sum((r) => r.socketErrors.timeout),
    },
  };
}

function wrkArgs(params: Pick<WrkParams, 'threads' | 'connections'>, seconds: number, headers: Record<string, string>) {
  const headerArgs = Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  return [
    '-t',
    String(params.threads),
    '-c',
    String(params.connections),
    '--timeout',
    '5s',
    '-d',
    `${seconds}s`,
    ...headerArgs,
  ];
}

/** A wrk run (pinned with taskset) whose result is dropped: JIT, connection pools and caches warm up. */
export async function wrkWarmUp(
  group: ProcessGroup,
  url: string,
  params: WrkParams,
  seconds: number,
  headers: Record<string, string> = {},
): Promise<void> {
  if (seconds > 0)
    await group.run('wrk warm-up', 'wrk', [...wrkArgs(params, seconds, headers), url], { cpu: params.cpu });
}

/** One measured wrk run (pinned with taskset) with `--latency`, parsed. */
export async function wrkMeasure(
  group: ProcessGroup,
  url: string,
  params: WrkParams,
  seconds: number,
  headers: Record<string, string> = {},
): Promise<WrkResult> {
  const out = await group.run('wrk', 'wrk', [...wrkArgs(params, seconds, headers), '--latency', url], {
    cpu: params.cpu,
  });
  return parseWrkOutput(out);
}
