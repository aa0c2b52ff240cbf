import { describe, expect, it } from 'vitest';
import { cpuTimes, processJiffies } from './cpu-steal.js';
import { rotate, splitDuration } from './harness.js';
import { percentiles, summarizeOpenLoop } from './open-loop.js';
import { parseOptions } from './options.js';
import { parseCpuList } from './tools.js';

describe('percentiles', () => {
  it('uses the nearest rank and ignores failed requests', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    const p = percentiles([...values, Number.NaN]);
    expect([p.p50, p.p90, p.p99, p.max]).toEqual([50, 90, 99, 100]);
    expect(percentiles([7]).p999).toBe(7);
    expect(percentiles([]).p50).toBeNaN();
  });
});

describe('summarizeOpenLoop', () => {
  it('computes percentiles over the samples of every slice', () => {
    const slice = (samples: number[], lag: number) => ({
      rate: 1000,
      sent: 50,
      errors: 1,
      elapsedSec: 0.05,
      maxSendLagMs: lag,
      sendLagP99Ms: lag / 2,
      samples,
    });
    const result = summarizeOpenLoop([slice([1, 2, 3], 0.5), slice([4, 5], 2)]);
    expect(result.latency.p50).toBe(3);
    expect(result.latency.max).toBe(5);
    expect([result.sent, result.errors, result.maxSendLagMs, result.sendLagP99Ms]).toEqual([100, 2, 2, 1]);
    expect(result.achievedRate).toBeCloseTo(50);
  });
});

describe('rounds', () => {
  it('splits the measured seconds into whole slices and rotates the order', () => {
    expect(splitDuration(10, 3)).toEqual([4, 3, 3]);
    expect(splitDuration(2, 3)).toEqual([1, 1]);
    expect(splitDuration(5, 1)).toEqual([5]);
    expect(rotate(['a', 'b', 'c'], 4)).toEqual(['b', 'c', 'a']);
    expect(rotate([], 1)).toEqual([]);
  });
});

describe('parseOptions', () => {
  it('has the defaults of a 3-4 minute run and reads lists', () => {
    const defaults = parseOptions([]);
    expect([defaults.durationSec, defaults.rounds, defaults.warmupSec, defaults.connections, defaults.rate]).toEqual([
      10, 3, 3, 50, 1000,
    ]);
    const o = parseOptions(['--duration', '2', '--scenarios', 'passthrough-v4, passthrough-v2', '--no-docs']);
    expect(o.scenarios).toEqual(['passthrough-v4', 'passthrough-v2']);
    expect(o.writeDocs).toBe(false);
    expect(() => parseOptions(['--duration', 'x'])).toThrow(/--duration/);
  });
});

describe('parseCpuList', () => {
  it('expands ranges', () => {
    expect(parseCpuList('0-2,5\n')).toEqual([0, 1, 2, 5]);
  });
});

describe('cpu steal inputs', () => {
  it('sums busy and total jiffies of the chosen CPUs from /proc/stat', () => {
    const stat = 'cpu  9 9 9 9 9 9 9 9 0 0\ncpu0 10 1 5 100 4 1 2 0 0 0\ncpu1 7 0 3 50 0 0 0 0 0 0\nintr 1';
    expect(cpuTimes(stat, [0])).toEqual({ busy: 19, total: 123 });
    expect(cpuTimes(stat, [0, 1]).busy).toBe(29);
  });

  it('reads utime + stime even when the command name has spaces and parentheses', () => {
    const line = '42 (node (x) y) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0 1000 0 0';
    expect(processJiffies(line)).toBe(300);
  });
});
