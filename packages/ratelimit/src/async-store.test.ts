import { afterEach, describe, expect, it } from 'vitest';
import { AsyncRateLimitStore } from './async-store.js';
import { MemoryRateLimitStore } from './memory-store.js';
import type { RateLimitRequest } from './rate-limit-store.js';

const closers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c.close()));
});
const req = (limit: number, key = 'k'): RateLimitRequest => ({ key, limit, weight: 1, periodMs: 60_000 });
const admitted = async (store: AsyncRateLimitStore, n: number, limit: number) => {
  let count = 0;
  for (let i = 0; i < n; i++) if ((await store.consume(req(limit))).allowed) count++;
  return count;
};

describe('AsyncRateLimitStore', () => {
  it('decides locally and sends the increments to the backing store on sync', async () => {
    const shared = new MemoryRateLimitStore();
    const store = new AsyncRateLimitStore(shared, { syncIntervalMs: 60_000 });
    closers.push(store);
    expect(await admitted(store, 5, 3)).toBe(3);
    expect((await shared.increment({ ...req(3), weight: 0 })).count).toBe(0);
    await store.sync();
    expect((await shared.increment({ ...req(3), weight: 0 })).count).toBe(3);
  });

  it('over-admits at most what each gateway admits during one interval beyond the shared count', async () => {
    const shared = new MemoryRateLimitStore();
    const gateways = [1, 2, 3].map(() => new AsyncRateLimitStore(shared, { syncIntervalMs: 60_000 }));
    closers.push(...gateways, shared);
    const limit = 10;
    // First interval: nobody knows the others' counts: each admits `limit - 0`.
    let total = 0;
    for (const g of gateways) total += await admitted(g, 20, limit);
    expect(total).toBe(3 * limit);
    for (const g of gateways) await g.sync();
    // Every gateway now knows the shared count (30 >= limit): nothing more is admitted.
    for (const g of gateways) expect(await admitted(g, 5, limit)).toBe(0);
  });

  it('bounds the next interval by the shared count', async () => {
    const shared = new MemoryRateLimitStore();
    const [a, b] = [1, 2].map(() => new AsyncRateLimitStore(shared, { syncIntervalMs: 60_000 }));
    closers.push(a!, b!, shared);
    expect(await admitted(a!, 4, 10)).toBe(4);
    await a!.sync();
    await b!.sync(); // b reads nothing yet: it has not used the key
    expect(await admitted(b!, 1, 10)).toBe(1);
    await b!.sync(); // b learns the shared count: 5
    expect(await admitted(b!, 10, 10)).toBe(5);
    await a!.sync();
    await b!.sync();
    expect((await shared.increment({ ...req(10), weight: 0 })).count).toBe(10);
  });

  it('keeps increments when the backing store fails and sends them later', async () => {
    const shared = new MemoryRateLimitStore();
    let failing = true;
    const errors: unknown[] = [];
    const flaky = {
      consume: (r: RateLimitRequest) => shared.consume(r),
      increment: (r: RateLimitRequest) => (failing ? Promise.reject(new Error('down')) : shared.increment(r)),
      health: () => shared.health(),
      close: () => shared.close(),
    };
    const store = new AsyncRateLimitStore(flaky, { syncIntervalMs: 60_000, onError: (e) => errors.push(e) });
    closers.push(store);
    expect(await admitted(store, 2, 5)).toBe(2);
    await store.sync();
    expect(errors).toHaveLength(1);
    failing = false;
    await store.sync();
    expect((await shared.increment({ ...req(5), weight: 0 })).count).toBe(2);
  });

  it('synchronises on its interval and flushes on close', async () => {
    const shared = new MemoryRateLimitStore();
    const store = new AsyncRateLimitStore(shared, { syncIntervalMs: 20 });
    await admitted(store, 2, 5);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect((await shared.increment({ ...req(5), weight: 0 })).count).toBe(2);
    await admitted(store, 1, 5);
    const flushed = shared.increment.bind(shared);
    const closing = store.close(); // flushes, then closes the backing store
    expect((await flushed({ ...req(5), weight: 0 })).count).toBe(3);
    await closing;
    await expect(flushed({ ...req(5), weight: 0 })).rejects.toThrow('closed');
  });
});
