import type { PolicyFactoryContext } from '@apim/core';
import { MemoryRateLimitStore, type RateLimitStore, RedisRateLimitStore } from '@apim/ratelimit';
import { afterAll, describe, expect, it } from 'vitest';
import { quotaPolicy } from '../quota/index.js';
import { InMemoryExecutionContext, instantiate, testFactoryContext } from '../testing/index.js';
import { rateLimitPolicy } from './index.js';

const stores: RateLimitStore[] = [];
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
});
const memory = () => {
  const store = new MemoryRateLimitStore();
  stores.push(store);
  return store;
};
const context = (
  store: RateLimitStore,
  apiId = 'api-1',
): PolicyFactoryContext & { logger: { records: unknown[] } } => ({
  ...testFactoryContext('rate-limit', [], { rateLimit: store }),
  apiId,
});
const keyless = (remoteAddress = '10.0.0.1', attributes: Record<string, unknown> = {}, headers = {}) =>
  new InMemoryExecutionContext({
    remoteAddress,
    headers,
    attributes: { 'gravitee.attribute.api': 'api-1', 'gravitee.attribute.plan': 'keyless-plan', ...attributes },
  });
const rate = (limit: number, extra: Record<string, unknown> = {}) => ({
  rate: { limit, periodTime: 1, periodTimeUnit: 'SECONDS', ...extra },
});

/** Runs `n` requests built by `make`; returns the statuses (200 when not interrupted). */
async function statuses(instance: ReturnType<typeof instantiate>, n: number, make = () => keyless()) {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const exec = make();
    await instance.onRequest!(exec);
    out.push(exec.interruption?.status ?? 200);
  }
  return out;
}

describe('rate-limit', () => {
  it('admits the limit, then answers 429 with the key, the message, the headers and Retry-After', async () => {
    const instance = instantiate(rateLimitPolicy, rate(2), context(memory()));
    const first = keyless();
    await instance.onRequest!(first);
    expect(first.interruption).toBeUndefined();
    expect(first.response.headers.getFirst('X-Rate-Limit-Limit')).toBe('2');
    expect(first.response.headers.getFirst('X-Rate-Limit-Remaining')).toBe('1');
    const reset = Number(first.response.headers.getFirst('X-Rate-Limit-Reset'));
    expect(reset).toBeGreaterThan(Date.now());
    expect(reset).toBeLessThanOrEqual(Date.now() + 1_000);
    await instance.onRequest!(keyless());
    const third = keyless();
    await instance.onRequest!(third);
    expect(third.interruption).toEqual({
      status: 429,
      key: 'RATE_LIMIT_TOO_MANY_REQUESTS',
      message: 'Rate limit exceeded! You reached the limit of 2 requests per 1 seconds',
      headers: {
        'X-Rate-Limit-Limit': '2',
        'X-Rate-Limit-Remaining': '0',
        'X-Rate-Limit-Reset': String(reset),
        'Retry-After': '1',
      },
    });
  });

  it('opens a new window after the period', async () => {
    const instance = instantiate(rateLimitPolicy, rate(1), context(memory()));
    expect(await statuses(instance, 2)).toEqual([200, 429]);
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    expect(await statuses(instance, 1)).toEqual([200]);
  });

  it('without addHeaders sends no X-Rate-Limit headers, only Retry-After on 429', async () => {
    const instance = instantiate(rateLimitPolicy, { ...rate(1), addHeaders: false }, context(memory()));
    const ok = keyless();
    await instance.onRequest!(ok);
    expect(ok.response.headers.size).toBe(0);
    const refused = keyless();
    await instance.onRequest!(refused);
    expect(Object.keys(refused.interruption!.headers!)).toEqual(['Retry-After']);
  });

  it('counts per plan and subscription, and per client address on keyless plans', async () => {
    const instance = instantiate(rateLimitPolicy, rate(1), context(memory()));
    const sub =
      (id: string, plan = 'gold') =>
      () =>
        keyless('10.0.0.1', { 'gravitee.attribute.plan': plan, 'gravitee.attribute.subscription-id': id });
    expect(await statuses(instance, 2, sub('s1'))).toEqual([200, 429]);
    expect(await statuses(instance, 1, sub('s2'))).toEqual([200]);
    expect(await statuses(instance, 1, sub('s1', 'silver'))).toEqual([200]);
    expect(await statuses(instance, 2, () => keyless('10.0.0.7'))).toEqual([200, 429]);
    expect(await statuses(instance, 1, () => keyless('10.0.0.8'))).toEqual([200]);
  });

  it('adds the evaluated key to the counter key', async () => {
    const instance = instantiate(
      rateLimitPolicy,
      rate(1, { key: "{#request.headers['X-Tenant'][0]}" }),
      context(memory()),
    );
    const tenant = (t: string) => () => keyless('10.0.0.1', {}, { 'X-Tenant': t });
    expect(await statuses(instance, 2, tenant('a'))).toEqual([200, 429]);
    expect(await statuses(instance, 1, tenant('b'))).toEqual([200]);
  });

  it('keeps separate counters for separate APIs and differently configured steps, one for identical ones', async () => {
    const store = memory();
    const a = instantiate(rateLimitPolicy, rate(1), context(store, 'api-a'));
    const b = instantiate(rateLimitPolicy, rate(1), context(store, 'api-b'));
    const other = instantiate(rateLimitPolicy, rate(1, { periodTime: 2 }), context(store, 'api-a'));
    const twin = instantiate(rateLimitPolicy, rate(1), context(store, 'api-a'));
    expect(await statuses(a, 1)).toEqual([200]);
    expect(await statuses(b, 1)).toEqual([200]);
    expect(await statuses(other, 1)).toEqual([200]);
    expect(await statuses(twin, 1)).toEqual([429]);
  });

  it('with useKeyOnly, the evaluated key alone names the counter, across APIs, plans and clients', async () => {
    const store = memory();
    const config = rate(2, { key: "{#request.headers['X-Tenant'][0]}", useKeyOnly: true });
    const a = instantiate(rateLimitPolicy, config, context(store, 'api-a'));
    const b = instantiate(rateLimitPolicy, config, context(store, 'api-b'));
    const t = (ip: string, plan: string) => () =>
      keyless(ip, { 'gravitee.attribute.plan': plan }, { 'X-Tenant': 'acme' });
    expect(await statuses(a, 1, t('10.0.0.1', 'p1'))).toEqual([200]);
    expect(await statuses(b, 2, t('10.0.0.2', 'p2'))).toEqual([200, 429]);
    // An empty key falls back to the per-consumer counter.
    expect(await statuses(a, 1, () => keyless('10.0.0.3', {}, { 'X-Tenant': '' }))).toEqual([200]);
  });

  it('takes the limit from dynamicLimit when limit is 0', async () => {
    const config = rate(0, { dynamicLimit: "{#context.attributes['tenant-limit']}" });
    const instance = instantiate(rateLimitPolicy, config, context(memory()));
    const withLimit = (limit: unknown) => () => keyless('10.0.0.1', { 'tenant-limit': limit });
    expect(await statuses(instance, 4, withLimit(3))).toEqual([200, 200, 200, 429]);
    const exec = withLimit(3)();
    await instance.onRequest!(exec);
    expect(exec.interruption!.message).toBe('Rate limit exceeded! You reached the limit of 3 requests per 1 seconds');
    // No value: 0, everything refused (as Gravitee).
    expect(await statuses(instance, 1, () => keyless('10.0.0.9'))).toEqual([429]);
  });

  it('an invalid dynamic limit follows errorStrategy', async () => {
    const config = { ...rate(0, { dynamicLimit: "{#context.attributes['tenant-limit']}" }) };
    const pass = instantiate(rateLimitPolicy, config, context(memory()));
    expect(await statuses(pass, 1, () => keyless('10.0.0.1', { 'tenant-limit': 'lots' }))).toEqual([200]);
    const block = instantiate(
      rateLimitPolicy,
      { ...config, errorStrategy: 'BLOCK_ON_INTERNAL_ERROR' },
      context(memory()),
    );
    expect(await statuses(block, 1, () => keyless('10.0.0.1', { 'tenant-limit': -1 }))).toEqual([500]);
  });

  it('a step in the response phase re-applies the headers decided in the request phase', async () => {
    const ctx = context(memory());
    const request = instantiate(rateLimitPolicy, rate(5), ctx);
    const response = instantiate(rateLimitPolicy, rate(5), ctx);
    const exec = keyless();
    await request.onRequest!(exec);
    exec.response.headers.clear(); // the gateway replaces the headers with the endpoint's
    response.onResponse!(exec);
    expect(exec.response.headers.getFirst('X-Rate-Limit-Remaining')).toBe('4');
    const alone = keyless();
    response.onResponse!(alone);
    expect(alone.response.headers.size).toBe(0);
  });

  it('refuses to deploy without a counter store, and with an invalid configuration', () => {
    const noStore = { ...testFactoryContext('rate-limit'), services: {} };
    expect(() => instantiate(rateLimitPolicy, rate(1), noStore)).toThrow('services.rateLimit must be a RateLimitStore');
    expect(() => instantiate(rateLimitPolicy, {}, context(memory()))).toThrow('invalid configuration');
    expect(() => instantiate(rateLimitPolicy, rate(-1), context(memory()))).toThrow('invalid configuration');
    expect(() => instantiate(rateLimitPolicy, rate(1, { periodTimeUnit: 'WEEKS' }), context(memory()))).toThrow(
      'invalid configuration',
    );
    expect(() => instantiate(rateLimitPolicy, rate(1, { key: '{#a.(}' }), context(memory()))).toThrow(
      'invalid configuration',
    );
  });

  it("accepts Gravitee's v2 export (bench fixture) and its FALLBACK_PASS_TROUGH spelling", async () => {
    const config = {
      async: true,
      addHeaders: false,
      rate: { key: '', useKeyOnly: false, periodTime: 15, periodTimeUnit: 'MINUTES', limit: 1000000000 },
    };
    expect(await statuses(instantiate(rateLimitPolicy, config, context(memory())), 2)).toEqual([200, 200]);
    const trough = { ...rate(1), errorStrategy: 'FALLBACK_PASS_TROUGH' };
    expect(() => instantiate(rateLimitPolicy, trough, context(memory()))).not.toThrow();
  });

  describe('when the store fails (Redis unreachable)', () => {
    const dead = new RedisRateLimitStore({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 50, connectTimeoutMs: 100 });
    stores.push(dead);

    it('FALLBACK_PASS_THROUGH lets requests through, with Gravitee headers, warning at most every 10 s', async () => {
      const ctx = context(dead);
      const instance = instantiate(rateLimitPolicy, rate(1), ctx);
      const started = performance.now();
      const exec = keyless();
      await instance.onRequest!(exec);
      expect(performance.now() - started).toBeLessThan(100);
      expect(exec.interruption).toBeUndefined();
      expect(exec.response.headers.toRecord()).toEqual({
        'X-Rate-Limit-Limit': '1',
        'X-Rate-Limit-Remaining': '1',
        'X-Rate-Limit-Reset': '-1',
      });
      expect(await statuses(instance, 3)).toEqual([200, 200, 200]);
      const warnings = (ctx.logger as { records: { level: string; msg?: string }[] }).records.filter(
        (r) => r.level === 'warn',
      );
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.msg).toContain('counter unavailable, request let through');
    });

    it('BLOCK_ON_INTERNAL_ERROR answers 500 with a stable key', async () => {
      const instance = instantiate(
        rateLimitPolicy,
        { ...rate(1), errorStrategy: 'BLOCK_ON_INTERNAL_ERROR' },
        context(dead),
      );
      const exec = keyless();
      await instance.onRequest!(exec);
      expect(exec.interruption).toEqual({
        status: 500,
        key: 'RATE_LIMIT_BLOCK_ON_INTERNAL_ERROR',
        message: 'Rate limit blocked the query due to internal error',
      });
      const quota = instantiate(
        quotaPolicy,
        { quota: { limit: 1 }, errorStrategy: 'BLOCK_ON_INTERNAL_ERROR' },
        context(dead),
      );
      const q = keyless();
      await quota.onRequest!(q);
      expect(q.interruption?.key).toBe('QUOTA_BLOCK_ON_INTERNAL_ERROR');
    });
  });
});
