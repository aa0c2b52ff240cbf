import { MemoryRateLimitStore } from '@apim/ratelimit';
import { afterAll, describe, expect, it } from 'vitest';
import { periodMs } from '../common/periods.js';
import { InMemoryExecutionContext, instantiate, testFactoryContext } from '../testing/index.js';
import { quotaPolicy } from './index.js';

const store = new MemoryRateLimitStore();
afterAll(() => store.close());
const ctx = () => testFactoryContext('quota', [], { rateLimit: store });

describe('quota', () => {
  it('admits the limit per period, then 429 QUOTA_TOO_MANY_REQUESTS with X-Quota headers and Retry-After', async () => {
    const instance = instantiate(quotaPolicy, { quota: { limit: 2, periodTime: 1, periodTimeUnit: 'DAYS' } }, ctx());
    const execs = [1, 2, 3].map(() => new InMemoryExecutionContext({ remoteAddress: '10.1.1.1' }));
    for (const exec of execs) await instance.onRequest!(exec);
    expect(execs[1]!.response.headers.getFirst('X-Quota-Remaining')).toBe('0');
    const reset = Number(execs[0]!.response.headers.getFirst('X-Quota-Reset'));
    expect(reset - Date.now()).toBeGreaterThan(86_400_000 - 5_000);
    expect(execs[2]!.interruption).toMatchObject({
      status: 429,
      key: 'QUOTA_TOO_MANY_REQUESTS',
      message: 'Quota exceeded! You reached the limit of 2 requests per 1 days',
      headers: { 'X-Quota-Limit': '2', 'X-Quota-Remaining': '0', 'X-Quota-Reset': String(reset) },
    });
    const retry = Number(execs[2]!.interruption!.headers!['Retry-After']);
    expect(retry).toBeGreaterThan(86_400 - 5);
    expect(retry).toBeLessThanOrEqual(86_400);
  });

  it('defaults to one month and refuses rate-limit units', () => {
    expect(() => instantiate(quotaPolicy, { quota: { limit: 1 } }, ctx())).not.toThrow();
    expect(() => instantiate(quotaPolicy, { quota: { limit: 1, periodTimeUnit: 'SECONDS' } }, ctx())).toThrow(
      'invalid configuration',
    );
  });

  it('counts calendar months in UTC, weeks as 7 days', () => {
    const jan31 = Date.UTC(2025, 0, 31, 12);
    expect(new Date(jan31 + periodMs(1, 'MONTHS', jan31)).toISOString()).toBe('2025-03-03T12:00:00.000Z');
    const mar15 = Date.UTC(2025, 2, 15);
    expect(new Date(mar15 + periodMs(2, 'MONTHS', mar15)).toISOString()).toBe('2025-05-15T00:00:00.000Z');
    expect(periodMs(2, 'WEEKS', 0)).toBe(14 * 86_400_000);
    expect(periodMs(3, 'HOURS', 0)).toBe(3 * 3_600_000);
  });
});
