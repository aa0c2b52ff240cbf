import { describe, expect, it } from 'vitest';
import { bestWrk, parseWrkOutput, wrkCommandLine, wrkTimeToMs } from './wrk.js';

const OUTPUT = `Running 5s test @ http://127.0.0.1:44345/passthrough
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    70.34ms  112.04ms   1.09s    95.06%
    Req/Sec     1.01k   497.52     2.22k    65.31%
  Latency Distribution
     50%  612.00us
     75%   64.42ms
     90%  101.11ms
     99%    1.09s
  5014 requests in 5.01s, 847.09KB read
  Socket errors: connect 0, read 3, write 0, timeout 7
  Non-2xx or 3xx responses: 12
Requests/sec:   1001.61
Transfer/sec:    169.22KB
`;

describe('parseWrkOutput', () => {
  it('reads requests/s, the latency distribution in ms and the errors', () => {
    const result = parseWrkOutput(OUTPUT);
    expect(result.requestsPerSec).toBe(1001.61);
    expect(result.requests).toBe(5014);
    expect(result.durationSec).toBeCloseTo(5.01);
    expect(result.latency.p50).toBeCloseTo(0.612);
    expect(result.latency.p75).toBeCloseTo(64.42);
    expect(result.latency.p99).toBeCloseTo(1090);
    expect(result.non2xx).toBe(12);
    expect(result.socketErrors).toEqual({ connect: 0, read: 3, write: 0, timeout: 7 });
  });

  it('counts no errors when wrk prints none', () => {
    const clean = OUTPUT.replace(/^\s*(Socket errors|Non-2xx).*\n/gm, '');
    const result = parseWrkOutput(clean);
    expect(result.non2xx).toBe(0);
    expect(result.socketErrors.timeout).toBe(0);
  });

  it('fails clearly without --latency or without a result', () => {
    expect(() => parseWrkOutput(OUTPUT.replace(/Latency Distribution[\s\S]*?99%.*\n/, ''))).toThrow(/--latency/);
    expect(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused')).toThrow(/Requests\/sec/);
  });
});

describe('wrkTimeToMs', () => {
  it('converts every unit wrk prints', () => {
    expect(wrkTimeToMs('250.00us')).toBeCloseTo(0.25);
    expect(wrkTimeToMs('1.50ms')).toBe(1.5);
    expect(wrkTimeToMs('2.00s')).toBe(2000);
    expect(wrkTimeToMs('1.00m')).toBe(60_000);
    expect(() => wrkTimeToMs('fast')).toThrow();
  });
});

describe('wrkCommandLine', () => {
  it('shows the load parameters for the report', () => {
    expect(wrkCommandLine({ threads: 1, connections: 50 })).toBe('wrk -t1 -c50 --latency --timeout 5s');
  });
});

describe('bestWrk', () => {
  it('keeps the fastest round with its latencies and sums the errors of all', () => {
    const base = parseWrkOutput(OUTPUT);
    const runs = [100, 300, 200].map((rps, i) => ({
      ...base,
      requestsPerSec: rps,
      latency: { ...base.latency, p99: [9, 1, 5][i] as number },
    }));
    const best = bestWrk(runs);
    expect([best.requestsPerSec, best.latency.p99]).toEqual([300, 1]);
    expect(best.non2xx).toBe(36);
    expect(best.socketErrors.timeout).toBe(21);
    expect(() => bestWrk([])).toThrow();
  });
});
