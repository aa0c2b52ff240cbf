import type { OpenLoopResult } from './open-loop.js';
import type { WrkResult } from './wrk.js';

/** The outcome of one target in one run. */
export interface TargetResult {
  id: string;
  description: string;
  status: 'ok' | 'failed' | 'skipped';
  /** Why it failed or was skipped. */
  reason?: string;
  wrk?: WrkResult;
  peakRssBytes?: number;
  /** Share (0-1) of the target CPU used by other processes during the reported round. */
  cpuStolen?: number;
  openLoop?: OpenLoopResult;
  openLoopError?: string;
  /** Largest share (0-1) of the target CPU used by other processes during a fixed-rate slice. */
  openLoopCpuStolen?: number;
}

/** A goal the gateway is held to, evaluated on one run. */
export interface GoalCheck {
  goal: string;
  value: string;
  pass: boolean;
  /** Set when the inputs were disturbed by the machine: the verdict is then not to be trusted. */
  noisy?: string;
}

/** Above this share of the target CPU taken by other processes, a saturated round is disturbed. */
export const NOISY_CPU_SHARE = 0.1;
/** Above this p99 lateness of the fixed-rate generator, a 1 ms comparison of p99s means nothing. */
export const NOISY_SEND_LAG_MS = 1;

/** The id of the reference target every ratio divides by. */
export const REFERENCE_ID = 'bare-proxy';
/** The id of the Node gateway the project competes with. */
export const EXPRESS_GATEWAY_ID = 'express-gateway';

/** `a / b` of the requests/s of two results, undefined unless both ran. */
export function rpsRatio(a: TargetResult | undefined, b: TargetResult | undefined): number | undefined {
  if (!a?.wrk || !b?.wrk || b.wrk.requestsPerSec === 0) return undefined;
  return a.wrk.requestsPerSec / b.wrk.requestsPerSec;
}

const fmt = {
  rps: (v: number) => Math.round(v).toLocaleString('en-US'),
  ms: (v: number) => (Number.isNaN(v) ? '-' : `${v.toFixed(2)} ms`),
  mib: (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`,
  ratio: (v: number | undefined) => (v === undefined ? '-' : `${v.toFixed(2)}x`),
  share: (v: number | undefined) => (v === undefined ? '-' : `${Math.round(v * 100)} %`),
};

/**
 * A reason on one line for a table cell: output banners and stack frames dropped, whitespace collapsed, cut at 200.
 *
 * @example summarizeReason('x exited (1):\n--- x output (tail) ---\nTypeError: bad\n    at f (a.js:1)') // 'x exited (1): TypeError: bad'
 */
export function summarizeReason(reason: string, max = 200): string {
  const text = reason
    .split('\n')
    .filter((line) => !/^--- .* ---$/.test(line.trim()) && !/^\s+at /.test(line))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

function notes(r: TargetResult): string {
  if (r.status !== 'ok') return `${r.status}: ${summarizeReason(r.reason ?? '')}`;
  const out: string[] = [];
  const socket = r.wrk ? Object.values(r.wrk.socketErrors).reduce((a, b) => a + b, 0) : 0;
  if (r.wrk?.non2xx) out.push(`${r.wrk.non2xx} non-2xx`);
  if (socket) out.push(`${socket} socket errors`);
  return out.join(', ');
}

/** The main table as rows of cells, header first. */
export function resultRows(results: TargetResult[]): string[][] {
  const byId = new Map(results.map((r) => [r.id, r]));
  const header = [
    'target',
    'requests/s',
    'p50',
    'p99',
    'peak RSS',
    `vs ${REFERENCE_ID}`,
    `vs ${EXPRESS_GATEWAY_ID}`,
    'noise',
    'notes',
  ];
  const rows = results.map((r) => {
    if (!r.wrk) return [r.id, '-', '-', '-', '-', '-', '-', '-', notes(r)];
    return [
      r.id,
      fmt.rps(r.wrk.requestsPerSec),
      fmt.ms(r.wrk.latency.p50),
      fmt.ms(r.wrk.latency.p99),
      r.peakRssBytes ? fmt.mib(r.peakRssBytes) : '-',
      fmt.ratio(rpsRatio(r, byId.get(REFERENCE_ID))),
      fmt.ratio(rpsRatio(r, byId.get(EXPRESS_GATEWAY_ID))),
      fmt.share(r.cpuStolen),
      notes(r),
    ];
  });
  return [header, ...rows];
}

/** The fixed-rate table as rows of cells, header first (only targets that had that measure). */
export function openLoopRows(results: TargetResult[]): string[][] {
  const header = [
    'target',
    'rate',
    'achieved',
    'p50',
    'p90',
    'p99',
    'p99.9',
    'max',
    'errors',
    'generator lag p99',
    'noise',
  ];
  const rows = results
    .filter((r) => r.openLoop || r.openLoopError)
    .map((r) => {
      const o = r.openLoop;
      if (!o)
        return [r.id, '-', '-', '-', '-', '-', '-', '-', `failed: ${summarizeReason(r.openLoopError ?? '')}`, '-'];
      const l = o.latency;
      return [
        r.id,
        `${o.rate}/s`,
        `${o.achievedRate.toFixed(0)}/s`,
        ...[l.p50, l.p90, l.p99, l.p999, l.max].map(fmt.ms),
        String(o.errors),
        `${fmt.ms(o.sendLagP99Ms)} (max ${fmt.ms(o.maxSendLagMs)})`,
        fmt.share(r.openLoopCpuStolen),
      ];
    });
  return [header, ...rows];
}

/** Renders rows as an aligned plain-text table for the terminal. */
export function textTable(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  const line = (row: string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const [header = [], ...body] = rows;
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** Renders rows as a Markdown table, pipes in cells escaped and columns padded as Biome formats Markdown. */
export function markdownTable(rows: string[][]): string {
  const escaped = rows.map((row) => row.map((cell) => cell.replaceAll('|', '\\|')));
  const widths = escaped[0]?.map((_, i) => Math.max(3, ...escaped.map((row) => (row[i] ?? '').length))) ?? [];
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const [header = [], ...body] = escaped;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

function noisyRounds(...targets: (TargetResult | undefined)[]): string | undefined {
  const noisy = targets.filter((t) => (t?.cpuStolen ?? 0) > NOISY_CPU_SHARE);
  return noisy.length ? noisy.map((t) => `${t?.id} lost ${fmt.share(t?.cpuStolen)} of its CPU`).join(', ') : undefined;
}

function noisyFixedRate(...targets: (TargetResult | undefined)[]): string | undefined {
  const lagging = targets.filter((t) => (t?.openLoop?.sendLagP99Ms ?? 0) > NOISY_SEND_LAG_MS);
  if (lagging.length === 0) return undefined;
  return `generator p99 lag ${lagging.map((t) => `${fmt.ms(t?.openLoop?.sendLagP99Ms ?? 0)} on ${t?.id}`).join(', ')}`;
}

/**
 * Evaluates the targets: every passthrough scenario >= 0.9x the bare proxy and >= 3x express-gateway in requests/s,
 * and at the fixed rate the gateway's p99 within 1 ms of the bare proxy's. A check whose inputs were disturbed (a
 * round that lost more than 10 % of its CPU, a generator that ran late) is flagged as noisy.
 */
export function checkGoals(results: TargetResult[]): GoalCheck[] {
  const byId = new Map(results.map((r) => [r.id, r]));
  const reference = byId.get(REFERENCE_ID);
  const express = byId.get(EXPRESS_GATEWAY_ID);
  const checks: GoalCheck[] = [];
  const ratio = (v: number) => `${v.toFixed(3)}x`;
  for (const r of results.filter((x) => x.id.startsWith('apim passthrough') && x.status === 'ok')) {
    const vsRef = rpsRatio(r, reference);
    if (vsRef !== undefined) {
      const goal = `${r.id} >= 0.9x ${REFERENCE_ID}`;
      checks.push({ goal, value: ratio(vsRef), pass: vsRef >= 0.9, noisy: noisyRounds(r, reference) });
    }
    const vsEg = rpsRatio(r, express);
    if (vsEg !== undefined) {
      const goal = `${r.id} >= 3x ${EXPRESS_GATEWAY_ID}`;
      checks.push({ goal, value: ratio(vsEg), pass: vsEg >= 3, noisy: noisyRounds(r, express) });
    }
    if (r.openLoop && reference?.openLoop) {
      const delta = r.openLoop.latency.p99 - reference.openLoop.latency.p99;
      checks.push({
        goal: `${r.id} p99 at ${r.openLoop.rate}/s within 1 ms of ${REFERENCE_ID}`,
        value: `${delta >= 0 ? '+' : ''}${delta.toFixed(2)} ms`,
        pass: delta <= 1,
        noisy: noisyFixedRate(r, reference),
      });
    }
  }
  // Goals against the passthrough of the same definition version, measured in the same run.
  const against = (id: string, base: string, min: number, why: string) => {
    const target = byId.get(id);
    const reference = byId.get(base);
    if (target?.status !== 'ok' || reference?.status !== 'ok') return;
    const value = rpsRatio(target, reference);
    if (value === undefined) return;
    checks.push({
      goal: `${target.id} >= ${min}x ${reference.id} (${why})`,
      value: ratio(value),
      pass: value >= min,
      noisy: noisyRounds(target, reference),
    });
  };
  against('apim five-steps-v4', 'apim passthrough-v4', 0.9, 'five trivial steps cost at most 10 %');
  against('apim api-key-v4', 'apim passthrough-v4', 0.95, 'an API-key plan costs at most 5 %');
  against('apim api-key-v2', 'apim passthrough-v2', 0.95, 'an API-key plan costs at most 5 %');
  return checks;
}

/** The verdict word of a check: PASS, FAIL, or NOISY when its inputs were disturbed. */
export function verdict(check: GoalCheck): string {
  if (check.noisy) return 'NOISY';
  return check.pass ? 'PASS' : 'FAIL';
}

/** One line per goal: "PASS  goal: value", with the reason when the check is noisy. */
export function formatGoals(checks: GoalCheck[]): string {
  if (checks.length === 0) return 'no goal could be evaluated (the gateway or a reference target did not run)';
  return checks
    .map(
      (c) =>
        `${verdict(c).padEnd(5)}  ${c.goal}: ${c.value}${c.noisy ? ` (would ${c.pass ? 'pass' : 'fail'}; ${c.noisy})` : ''}`,
    )
    .join('\n');
}
