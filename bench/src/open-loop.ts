import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

/** Latency percentiles in milliseconds. */
export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** What the fixed-rate measure found for one target (all its slices together). */
export interface OpenLoopResult {
  rate: number;
  durationSec: number;
  sent: number;
  /** Non-200 answers and failed requests. */
  errors: number;
  /** Completed requests per second over the run. */
  achievedRate: number;
  /** From each request's scheduled start to the end of its response body. */
  latency: Percentiles;
  /** Largest delay between a request's scheduled time and its actual send: the generator's own lateness. */
  maxSendLagMs: number;
  /** 99th percentile of that delay (the largest over the slices). */
  sendLagP99Ms: number;
}

/** The raw outcome of one generator run: every successful latency in ms (rounded to the microsecond). */
export interface OpenLoopSlice {
  rate: number;
  sent: number;
  errors: number;
  elapsedSec: number;
  maxSendLagMs: number;
  sendLagP99Ms: number;
  samples: number[];
}

/**
 * Merges slices (taken in interleaved rounds) into one result: percentiles over every sample of every slice.
 *
 * @example summarizeOpenLoop([slice1, slice2]).latency.p99
 */
export function summarizeOpenLoop(slices: OpenLoopSlice[]): OpenLoopResult {
  const samples = slices.flatMap((s) => s.samples);
  const elapsed = slices.reduce((sum, s) => sum + s.elapsedSec, 0);
  return {
    rate: slices[0]?.rate ?? 0,
    durationSec: elapsed,
    sent: slices.reduce((sum, s) => sum + s.sent, 0),
    errors: slices.reduce((sum, s) => sum + s.errors, 0),
    achievedRate: elapsed > 0 ? samples.length / elapsed : 0,
    latency: percentiles(samples),
    maxSendLagMs: Math.max(0, ...slices.map((s) => s.maxSendLagMs)),
    sendLagP99Ms: Math.max(0, ...slices.map((s) => s.sendLagP99Ms)),
  };
}

/** Options of {@link runOpenLoop}. */
export interface OpenLoopOptions {
  url: string;
  /** Requests per second. */
  rate: number;
  durationSec: number;
  warmupSec?: number;
  headers?: Record<string, string>;
  connections?: number;
}

/**
 * Nearest-rank percentiles of a list of latencies (NaN entries, failed requests, are ignored).
 *
 * @example percentiles([1, 2, 3, 4]).p50 // 2
 */
export function percentiles(values: ArrayLike<number>): Percentiles {
  const sorted = Float64Array.from(values).filter((v) => !Number.isNaN(v));
  sorted.sort();
  const at = (p: number) => {
    if (sorted.length === 0) return Number.NaN;
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
  };
  return { p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), max: at(100) };
}

interface Phase {
  latencies: Float64Array;
  /** Per request: actual send time minus scheduled time. */
  lags: Float64Array;
  errors: number;
  elapsedMs: number;
}

/**
 * Sends `rate * durationSec` GET requests on a fixed schedule (request i is due at start + i / rate), whatever the
 * target's latency: an open loop. Timers fire in batches of whatever is due, and every latency is measured from the
 * scheduled time, not the send time, so a stalled target is charged for the requests it delayed (no coordinated
 * omission, the flaw of closed-loop tools like wrk).
 */
function runPhase(pool: Pool, path: string, headers: Record<string, string>, rate: number, seconds: number) {
  const total = Math.max(1, Math.round(rate * seconds));
  const intervalMs = 1000 / rate;
  const latencies = new Float64Array(total).fill(Number.NaN);
  let sent = 0;
  let completed = 0;
  let errors = 0;
  const lags = new Float64Array(total);
  return new Promise<Phase>((resolve) => {
    const start = performance.now();
    const fire = (i: number, scheduled: number) => {
      pool
        .request({ path, method: 'GET', headers })
        .then(
          async ({ statusCode, body }) => {
            await body.arrayBuffer();
            if (statusCode === 200) latencies[i] = performance.now() - scheduled;
            else errors++;
          },
          () => {
            errors++;
          },
        )
        .finally(() => {
          if (++completed === total) resolve({ latencies, lags, errors, elapsedMs: performance.now() - start });
        });
    };
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor((now - start) / intervalMs) + 1);
      while (sent < due) {
        const scheduled = start + sent * intervalMs;
        lags[sent] = now - scheduled;
        fire(sent, scheduled);
        sent++;
      }
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * intervalMs - performance.now()));
    };
    tick();
  });
}

/**
 * Measures latency at a fixed request rate (what wrk2 does; wrk2 is not packaged by Debian): an optional warm-up at
 * the same rate, then the measured phase, whose raw samples it returns.
 *
 * @example summarizeOpenLoop([await runOpenLoop({ url: 'http://127.0.0.1:8082/x', rate: 1000, durationSec: 10 })])
 */
export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopSlice> {
  const url = new URL(options.url);
  const pool = new Pool(url.origin, {
    connections: options.connections ?? 64,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const path = `${url.pathname}${url.search}`;
  const headers = options.headers ?? {};
  try {
    if (options.warmupSec) await runPhase(pool, path, headers, options.rate, options.warmupSec);
    const phase = await runPhase(pool, path, headers, options.rate, options.durationSec);
    const lag = percentiles(phase.lags);
    const samples: number[] = [];
    for (const v of phase.latencies) if (!Number.isNaN(v)) samples.push(Math.round(v * 1000) / 1000);
    return {
      rate: options.rate,
      sent: phase.latencies.length,
      errors: phase.errors,
      elapsedSec: phase.elapsedMs / 1000,
      maxSendLagMs: lag.max,
      sendLagP99Ms: lag.p99,
      samples,
    };
  } finally {
    await pool.close();
  }
}
