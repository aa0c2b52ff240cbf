import { afterEach, describe, expect, it } from 'vitest';
import { MemoryRateLimitStore } from './memory-store.js';
import { RateLimitStoreError } from './rate-limit-store.js';

let now = 1_000_000;
const clock = () => now;
const stores: MemoryRateLimitStore[] = [];
const store = (options: ConstructorParameters<typeof MemoryRateLimitStore>[0] = {}) => {
  const s = new MemoryRateLimitStore({ now: clock, ...options });
  stores.push(s);
  return s;
};
const req = (key = 'k', limit = 3, weight = 1, periodMs = 1_000) => ({ key, limit, weight, periodMs });

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

describe('MemoryRateLimitStore', () => {
  it('admits up to the limit in a fixed window that the first request opens', async () => {
    const s = store();
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await s.consume(req()));
    expect(decisions.map((d) => [d.allowed, d.count, d.remaining])).toEqual([
      [true, 1, 2],
      [true, 2, 1],
      [true, 3, 0],
      [false, 3, 0],
    ]);
    expect(new Set(decisions.map((d) => d.resetAt))).toEqual(new Set([now + 1_000]));
  });

  it('opens a new window once the period has passed, not before', async () => {
    const s = store();
    const start = now;
    for (let i = 0; i < 3; i++) await s.consume(req());
    now = start + 999;
    expect((await s.consume(req())).allowed).toBe(false);
    now = start + 1_000;
    const next = await s.consume(req());
    expect(next).toEqual({ allowed: true, count: 1, limit: 3, remaining: 2, resetAt: start + 2_000 });
  });

  it('counts weights and does not count refused requests', async () => {
    const s = store();
    expect((await s.consume(req('w', 10, 4))).count).toBe(4);
    expect((await s.consume(req('w', 10, 4))).count).toBe(8);
    expect(await s.consume(req('w', 10, 4))).toMatchObject({ allowed: false, count: 8, remaining: 2 });
    expect(await s.consume(req('w', 10, 2))).toMatchObject({ allowed: true, count: 10, remaining: 0 });
  });

  it('refuses everything with a limit of 0, and keys are independent', async () => {
    const s = store();
    expect((await s.consume(req('a', 0))).allowed).toBe(false);
    expect((await s.consume(req('b', 1))).allowed).toBe(true);
    expect((await s.consume(req('c', 1))).allowed).toBe(true);
  });

  it('increment adds whatever the limit (the async store sends its increments with it)', async () => {
    const s = store();
    await s.consume(req('i', 2));
    expect(await s.increment(req('i', 2, 5))).toMatchObject({ count: 6, remaining: 0 });
    expect((await s.increment(req('i', 2, 0))).count).toBe(6);
  });

  it('rejects invalid requests and calls after close', async () => {
    const s = store();
    await expect(s.consume(req('x', -1))).rejects.toThrow(RangeError);
    await expect(s.consume(req('x', 1, 1, 0))).rejects.toThrow('periodMs');
    await expect(s.consume(req('x', 1, 1.5))).rejects.toThrow('weight');
    await s.close();
    await expect(s.consume(req())).rejects.toBeInstanceOf(RateLimitStoreError);
    expect(await s.health()).toEqual({ healthy: false, message: 'closed' });
  });

  it('sweeps expired counters, on its timer too', async () => {
    const s = store({ sweepIntervalMs: 20 });
    for (let i = 0; i < 100; i++) await s.consume(req(`k${i}`, 1, 1, i < 50 ? 100 : 10_000));
    expect(s.size).toBe(100);
    now += 100;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(s.size).toBe(50);
    now += 10_000;
    expect(s.sweep()).toBe(50);
    expect(s.size).toBe(0);
  });

  it('stays bounded with many keys: expired ones go first, then the oldest windows', async () => {
    const s = store({ maxKeys: 1_000 });
    for (let i = 0; i < 1_000; i++) await s.consume(req(`old${i}`, 1, 1, 10));
    now += 10;
    for (let i = 0; i < 5_000; i++) await s.consume(req(`live${i}`, 1, 1, 60_000));
    expect(s.size).toBeLessThanOrEqual(1_000);
    // The newest counters are kept.
    expect((await s.consume(req('live4999', 1))).allowed).toBe(false);
  });
});
