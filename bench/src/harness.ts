import { join } from 'node:path';
import { watchCpuSteal } from './cpu-steal.js';
import { type OpenLoopSlice, summarizeOpenLoop } from './open-loop.js';
import type { TargetResult } from './report.js';
import { PeakRssSampler } from './rss.js';
import type { BenchContext, RunningTarget, TargetSpec } from './targets/target.js';
import { parseCpuList } from './tools.js';
import { bestWrk, type WrkParams, type WrkResult, wrkMeasure, wrkWarmUp } from './wrk.js';

/** How the targets are loaded. */
export interface HarnessOptions {
  wrk: WrkParams;
  /** Number of interleaved rounds the measured time of each target is split into. */
  rounds: number;
  /** Requests/s of the fixed-rate measure; 0 skips it. */
  rate: number;
  /** CPU list of the fixed-rate generator. */
  loadCpu: string;
  log: (line: string) => void;
}

interface Live {
  spec: TargetSpec;
  running: RunningTarget;
  rss: PeakRssSampler;
  /** Each measured wrk round, with the share of the target CPU other processes took meanwhile. */
  runs: { wrk: WrkResult; stolen: number }[];
  slices: OpenLoopSlice[];
  slicesStolen: number[];
  result: TargetResult;
  stopped: boolean;
}

/**
 * Splits a total number of seconds into `rounds` whole-second slices, larger ones first.
 *
 * @example splitDuration(10, 3) // [4, 3, 3]
 */
export function splitDuration(totalSec: number, rounds: number): number[] {
  const n = Math.max(1, Math.min(Math.floor(rounds), Math.floor(totalSec)));
  const base = Math.floor(totalSec / n);
  return Array.from({ length: n }, (_, i) => base + (i < totalSec - base * n ? 1 : 0));
}

/**
 * The list started at position `k` (wrapping), so that no target is always measured first or last in a round.
 *
 * @example rotate(['a', 'b', 'c'], 1) // ['b', 'c', 'a']
 */
export function rotate<T>(items: T[], k: number): T[] {
  if (items.length === 0) return items;
  const at = k % items.length;
  return [...items.slice(at), ...items.slice(0, at)];
}

async function stopLive(live: Live): Promise<void> {
  if (live.stopped) return;
  live.stopped = true;
  live.result.peakRssBytes = live.rss.stop();
  await live.running.stop();
}

async function openLoopSlice(ctx: BenchContext, live: Live, options: HarnessOptions, seconds: number, warmup: number) {
  const script = join(ctx.repoRoot, 'bench', 'dist', 'open-loop-cli.js');
  const args = [script, '--url', live.running.url, '--rate', String(options.rate), '--duration', String(seconds)];
  args.push('--warmup', String(warmup), '--headers', JSON.stringify(live.running.headers ?? {}));
  const out = await ctx.group.run('open-loop generator', process.execPath, args, { cpu: options.loadCpu });
  return JSON.parse(out.trim().split('\n').pop() ?? '') as OpenLoopSlice;
}

async function startAll(targets: TargetSpec[], ctx: BenchContext, options: HarnessOptions) {
  const results: TargetResult[] = [];
  const live: Live[] = [];
  for (const spec of targets) {
    const result: TargetResult = { id: spec.id, description: spec.description, status: 'ok' };
    results.push(result);
    if (spec.skip) {
      Object.assign(result, { status: 'skipped', reason: spec.skip });
      options.log(`${spec.id}: skipped (${spec.skip})`);
      continue;
    }
    try {
      const running = await spec.start(ctx);
      const rss = new PeakRssSampler(running.pids).start();
      live.push({ spec, running, rss, runs: [], slices: [], slicesStolen: [], result, stopped: false });
      options.log(`${spec.id}: started, ${running.url}`);
    } catch (error) {
      Object.assign(result, { status: 'failed', reason: `did not start: ${(error as Error).message}` });
      options.log(`${spec.id}: FAILED to start: ${(error as Error).message}`);
    }
  }
  return { results, live };
}

async function throughputRounds(live: Live[], ctx: BenchContext, options: HarnessOptions, cpus: number[]) {
  const slices = splitDuration(options.wrk.durationSec, options.rounds);
  for (const [round, seconds] of slices.entries()) {
    for (const l of rotate(live, round).filter((x) => !x.stopped)) {
      try {
        const warmup = round === 0 ? options.wrk.warmupSec : Math.min(1, options.wrk.warmupSec);
        await wrkWarmUp(ctx.group, l.running.url, options.wrk, warmup, l.running.headers);
        const stolen = watchCpuSteal(cpus, l.running.pids);
        const wrk = await wrkMeasure(ctx.group, l.running.url, options.wrk, seconds, l.running.headers);
        l.runs.push({ wrk, stolen: stolen() });
        const p = wrk.latency;
        options.log(
          `round ${round + 1}/${slices.length} ${l.spec.id}: ${Math.round(wrk.requestsPerSec)} req/s, ` +
            `p50 ${p.p50.toFixed(2)} ms, p99 ${p.p99.toFixed(2)} ms, CPU taken by others ${pct(l.runs.at(-1)?.stolen)}`,
        );
      } catch (error) {
        Object.assign(l.result, { status: 'failed', reason: `measure failed: ${(error as Error).message}` });
        options.log(`${l.spec.id}: FAILED: ${(error as Error).message}`);
        await stopLive(l);
      }
    }
  }
}

async function fixedRateRounds(live: Live[], ctx: BenchContext, options: HarnessOptions, cpus: number[]) {
  const targets = live.filter((l) => l.spec.openLoop && !l.stopped);
  if (options.rate <= 0 || targets.length === 0) return;
  const slices = splitDuration(options.wrk.durationSec, options.rounds);
  for (const [round, seconds] of slices.entries()) {
    for (const l of rotate(targets, round).filter((x) => !x.stopped && !x.result.openLoopError)) {
      try {
        const stolen = watchCpuSteal(cpus, l.running.pids);
        l.slices.push(await openLoopSlice(ctx, l, options, seconds, round === 0 ? 2 : 1));
        l.slicesStolen.push(stolen());
        options.log(`fixed rate ${round + 1}/${slices.length} ${l.spec.id}: ${options.rate}/s for ${seconds} s`);
      } catch (error) {
        l.result.openLoopError = (error as Error).message;
      }
    }
  }
}

function pct(share: number | undefined): string {
  return share === undefined ? '-' : `${(share * 100).toFixed(0)} %`;
}

/**
 * Runs the benchmark proper. Every target is started first (each pinned to the target CPU; idle, they cost nothing),
 * then measured in interleaved rounds: in each round every target gets a slice of the measured time, in a rotated
 * order, so a burst of noise from the shared machine hits one slice of several targets rather than all of one
 * target; the fastest round of each target is kept (see {@link bestWrk}). The first slice of each target follows the
 * full warm-up, later ones a 1 s warm-up. The fixed-rate measure is interleaved the same way. During every slice the
 * share of the target CPU taken by other processes is recorded. A target that fails to start or to answer is
 * reported as failed and the run goes on.
 */
export async function runTargets(
  targets: TargetSpec[],
  ctx: BenchContext,
  options: HarnessOptions,
): Promise<TargetResult[]> {
  const cpus = parseCpuList(ctx.targetCpu);
  const { results, live } = await startAll(targets, ctx, options);
  try {
    await throughputRounds(live, ctx, options, cpus);
    await fixedRateRounds(live, ctx, options, cpus);
  } finally {
    for (const l of live) {
      if (l.runs.length && l.result.status === 'ok') {
        l.result.wrk = bestWrk(l.runs.map((r) => r.wrk));
        l.result.cpuStolen = l.runs.find((r) => r.wrk.requestsPerSec === l.result.wrk?.requestsPerSec)?.stolen;
      }
      if (l.slices.length && !l.result.openLoopError) {
        l.result.openLoop = summarizeOpenLoop(l.slices);
        l.result.openLoopCpuStolen = Math.max(...l.slicesStolen);
      }
      await stopLive(l);
    }
  }
  return results;
}
