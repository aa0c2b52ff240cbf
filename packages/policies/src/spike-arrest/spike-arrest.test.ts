import { MemoryRateLimitStore } from '@apim/ratelimit';
import { afterAll, describe, expect, it } from 'vitest';
import { InMemoryExecutionContext, instantiate, testFactoryContext } from '../testing/index.js';
import { spikeArrestPolicy } from './index.js';
import { spikeSlice } from './spike-arrest.js';

const store = new MemoryRateLimitStore();
afterAll(() => store.close());
const ctx = () => testFactoryContext('spike-arrest', [], { rateLimit: store });

describe('spike arrest', () => {
  it.each([
    [10, 1_000, { limit: 1, periodMs: 100 }],
    [4, 1_000, { limit: 1, periodMs: 250 }],
    [3, 1_000, { limit: 1, periodMs: 333 }],
    // Slices under 100 ms are grouped: n = round(100 / slice) requests per floor(slice * n) ms.
    [100, 1_000, { limit: 10, periodMs: 100 }],
    [15, 1_000, { limit: 2, periodMs: 133 }],
    [1_000, 60_000, { limit: 2, periodMs: 120 }],
    [0, 1_000, { limit: 0, periodMs: 1_000 }],
  ])("slices %i per %i ms as Gravitee's LimitUtils", (limit, period, expected) => {
    expect(spikeSlice(limit, period)).toEqual(expected);
  });

  it('admits one request per slice: a burst gets 1 of 10, the next slice admits again', async () => {
    const instance = instantiate(spikeArrestPolicy, { spike: { limit: 10, periodTime: 1 } }, ctx());
    const burst = [];
    for (let i = 0; i < 5; i++) {
      const exec = new InMemoryExecutionContext({ remoteAddress: '10.2.2.2' });
      await instance.onRequest!(exec);
      burst.push(exec);
    }
    expect(burst.map((e) => e.interruption?.status ?? 200)).toEqual([200, 429, 429, 429, 429]);
    expect(burst[0]!.response.headers.toRecord()).toMatchObject({
      'X-Spike-Arrest-Limit': '1',
      'X-Spike-Arrest-Slice-Period': '100ms',
    });
    expect(burst[1]!.interruption).toMatchObject({
      key: 'SPIKE_ARREST_TOO_MANY_REQUESTS',
      message: 'Spike limit exceeded! You reached the limit of 1 requests per 100 ms.',
      headers: { 'X-Spike-Arrest-Limit': '1', 'X-Spike-Arrest-Slice-Period': '100ms', 'Retry-After': '1' },
    });
    await new Promise((resolve) => setTimeout(resolve, 110));
    const next = new InMemoryExecutionContext({ remoteAddress: '10.2.2.2' });
    await instance.onRequest!(next);
    expect(next.interruption).toBeUndefined();
  });
});
