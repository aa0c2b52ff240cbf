import { describe, expect, it } from 'vitest';
import {
  checkGoals,
  formatGoals,
  type GoalCheck,
  markdownTable,
  openLoopRows,
  resultRows,
  rpsRatio,
  summarizeReason,
  type TargetResult,
  textTable,
  verdict,
} from './report.js';
import type { WrkResult } from './wrk.js';

function wrk(requestsPerSec: number, p50 = 1, p99 = 5): WrkResult {
  return {
    requestsPerSec,
    requests: requestsPerSec * 10,
    durationSec: 10,
    latency: { p50, p75: p50, p90: p99, p99 },
    non2xx: 0,
    socketErrors: { connect: 0, read: 0, write: 0, timeout: 0 },
  };
}

function ok(id: string, rps: number, extra: Partial<TargetResult> = {}): TargetResult {
  return { id, description: id, status: 'ok', wrk: wrk(rps), peakRssBytes: 50 * 1024 * 1024, ...extra };
}

const loop = (p99: number) => ({
  rate: 1000,
  durationSec: 10,
  sent: 10_000,
  errors: 0,
  achievedRate: 1000,
  latency: { p50: 1, p90: 2, p99, p999: p99 + 1, max: p99 + 2 },
  maxSendLagMs: 1,
  sendLagP99Ms: 0.2,
});

const RESULTS: TargetResult[] = [
  ok('bare-proxy', 10_000, { openLoop: loop(2), cpuStolen: 0.03 }),
  ok('express-gateway', 2_000),
  ok('apim passthrough-v4', 9_500, { openLoop: loop(2.5) }),
  { id: 'apim passthrough-v2', description: '', status: 'failed', reason: 'did not start: EADDRINUSE\nstack' },
  { id: 'apim mock', description: '', status: 'skipped', reason: 'needs policy engine / security' },
];

describe('ratios and goals', () => {
  it('divides requests/s and gives up when either side did not run', () => {
    expect(rpsRatio(RESULTS[2], RESULTS[0])).toBeCloseTo(0.95);
    expect(rpsRatio(RESULTS[3], RESULTS[0])).toBeUndefined();
    expect(rpsRatio(RESULTS[2], undefined)).toBeUndefined();
  });

  it('checks passthrough against the bare proxy, express-gateway and the fixed-rate p99', () => {
    const goals = checkGoals(RESULTS);
    expect(goals.map((g) => [verdict(g), g.value])).toEqual([
      ['PASS', '0.950x'],
      ['PASS', '4.750x'],
      ['PASS', '+0.50 ms'],
    ]);
    expect(formatGoals(goals)).toContain('PASS   apim passthrough-v4 >= 0.9x bare-proxy: 0.950x');
    expect(checkGoals([ok('apim passthrough-v4', 5_000), ok('bare-proxy', 10_000)])[0]?.pass).toBe(false);
    expect(formatGoals([])).toMatch(/no goal/);
  });

  it('flags a check as noisy when a round lost CPU or the generator ran late', () => {
    const disturbed = [
      ok('bare-proxy', 10_000, { cpuStolen: 0.25, openLoop: { ...loop(2), sendLagP99Ms: 4 } }),
      ok('apim passthrough-v4', 8_000, { openLoop: loop(2) }),
    ];
    const [throughput, fixedRate] = checkGoals(disturbed);
    expect(throughput && verdict(throughput)).toBe('NOISY');
    expect(throughput?.noisy).toBe('bare-proxy lost 25 % of its CPU');
    expect(fixedRate?.noisy).toBe('generator p99 lag 4.00 ms on bare-proxy');
    expect(formatGoals(disturbed.length ? [throughput as GoalCheck] : [])).toContain(
      '(would fail; bare-proxy lost 25 %',
    );
  });
});

describe('summarizeReason', () => {
  it('keeps the message and the error a process printed, on one line', () => {
    const reason =
      'bare-proxy exited (1) before answering: \n--- bare-proxy output (tail) ---\nTypeError: Invalid URL\n    at new URL (node:internal/url:806:29)';
    expect(summarizeReason(reason)).toBe('bare-proxy exited (1) before answering: TypeError: Invalid URL');
    expect(summarizeReason('x'.repeat(300))).toHaveLength(200);
  });
});

describe('tables', () => {
  it('formats one row per target, failures and skips with their first line of reason', () => {
    const rows = resultRows(RESULTS);
    expect(rows[0]).toEqual([
      'target',
      'requests/s',
      'p50',
      'p99',
      'peak RSS',
      'vs bare-proxy',
      'vs express-gateway',
      'noise',
      'notes',
    ]);
    expect(rows[3]).toEqual([
      'apim passthrough-v4',
      '9,500',
      '1.00 ms',
      '5.00 ms',
      '50.0 MiB',
      '0.95x',
      '4.75x',
      '-',
      '',
    ]);
    expect(rows[4]?.at(-1)).toBe('failed: did not start: EADDRINUSE stack');
    expect(rows[5]?.at(-1)).toBe('skipped: needs policy engine / security');
  });

  it('lists only the targets that had the fixed-rate measure', () => {
    const rows = openLoopRows(RESULTS);
    expect(rows.map((r) => r[0])).toEqual(['target', 'bare-proxy', 'apim passthrough-v4']);
    expect(rows[2]?.[5]).toBe('2.50 ms');
    expect(resultRows(RESULTS)[1]?.[7]).toBe('3 %');
  });

  it('renders aligned text and Markdown', () => {
    const rows = [
      ['a', 'bb'],
      ['ccc', 'd|e'],
    ];
    expect(textTable(rows).split('\n')).toEqual(['a    bb', '---  ---', 'ccc  d|e']);
    expect(markdownTable(rows)).toBe('| a   | bb   |\n| --- | ---- |\n| ccc | d\\|e |');
  });
});
