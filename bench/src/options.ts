import { parseArgs } from 'node:util';

/** Everything a run can be told on the command line. */
export interface BenchOptions {
  /** Measured seconds per target (wrk and, separately, the fixed-rate measure). */
  durationSec: number;
  /** Interleaved rounds the measured seconds are split into. */
  rounds: number;
  /** Seconds of the wrk warm-up before the first round (later rounds: 1 s). */
  warmupSec: number;
  connections: number;
  threads: number;
  /** Requests per second of the fixed-rate measure; 0 turns it off. */
  rate: number;
  /** Gateway scenario ids to run; undefined means all of them. */
  scenarios?: string[];
  /** Reference target ids to run (upstream, nginx-proxy, bare-proxy, express-gateway); undefined means all. */
  targets?: string[];
  /** CPU list for the targets; undefined picks the first allowed CPU. */
  targetCpu?: string;
  /** CPU list for wrk, the load generator and the shared upstream; undefined picks the second allowed CPU. */
  loadCpu?: string;
  /** Append the results to docs/performance.md. */
  writeDocs: boolean;
  /** Run the scale scenario (many APIs in the store) instead of the main benchmark. */
  scale: boolean;
  /** Number of APIs the scale scenario seeds. */
  scaleApis: number;
  help: boolean;
}

/** The usage text of `npm run bench -- ...`. */
export const USAGE = `Usage: npm run bench -- [options]

  --duration <s>      measured seconds per target (default 10)
  --rounds <n>        interleaved rounds the duration is split into (default 3)
  --warmup <s>        seconds of warm-up before a target's first round (default 3; 1 s before later rounds)
  --connections <n>   wrk connections (default 50)
  --threads <n>       wrk threads (default 1)
  --rate <n>          requests/s of the fixed-rate latency measure, 0 to skip it (default 1000)
  --scenarios <ids>   gateway scenarios, comma-separated (default: all; skipped ones print why)
  --targets <ids>     reference targets: upstream,nginx-proxy,bare-proxy,express-gateway (default: all)
  --target-cpu <cpu>  CPU list every target is pinned to (default: first allowed CPU)
  --load-cpu <cpu>    CPU list of wrk, the load generator and the upstream (default: second allowed CPU)
  --scale             run the scale scenario instead: 10,000 deployed APIs, sync time, RSS, new deploy, wrk on one
  --scale-apis <n>    number of APIs of --scale (default 10000)
  --no-docs           do not append the results to docs/performance.md
  -h, --help          this text`;

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function positive(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}, got "${value}"`);
  return n;
}

/**
 * Parses the command line of the benchmark.
 *
 * @example parseOptions(['--duration', '5', '--scenarios', 'passthrough-v4']).durationSec // 5
 */
export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string', default: '10' },
      rounds: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '50' },
      threads: { type: 'string', default: '1' },
      rate: { type: 'string', default: '1000' },
      scenarios: { type: 'string' },
      targets: { type: 'string' },
      'target-cpu': { type: 'string' },
      'load-cpu': { type: 'string' },
      'no-docs': { type: 'boolean', default: false },
      scale: { type: 'boolean', default: false },
      'scale-apis': { type: 'string', default: '10000' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  return {
    durationSec: positive('duration', values.duration, 1),
    rounds: positive('rounds', values.rounds, 1),
    warmupSec: positive('warmup', values.warmup, 0),
    connections: positive('connections', values.connections, 1),
    threads: positive('threads', values.threads, 1),
    rate: positive('rate', values.rate, 0),
    scenarios: list(values.scenarios),
    targets: list(values.targets),
    targetCpu: values['target-cpu'],
    loadCpu: values['load-cpu'],
    writeDocs: !values['no-docs'],
    scale: values.scale,
    scaleApis: positive('scale-apis', values['scale-apis'], 1),
    help: values.help,
  };
}
