/**
 * The rate-limit policy through the gateway: counters in the gateway's store (memory, or Redis shared by two
 * gateways), headers on proxied answers, 429 with Retry-After, and the store's health on the node service.
 */
import type { JsonObject } from '@apim/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from '../src/index.js';
import { send, snapshot } from './helpers.js';
import { cleanupList, echoUpstream } from './server-helpers.js';
import { memoryStore, publish } from './store-helpers.js';

const cleanups = cleanupList();
afterEach(() => cleanups.run());

const REDIS_URL = process.env.APIM_TEST_REDIS_URL;

function limited(target: string, limit: number, extra: JsonObject = {}): JsonObject {
  const definition = snapshot({ id: 'limited', paths: [{ path: '/limited' }], targets: [target] });
  (definition.api as JsonObject).flows = [
    {
      name: 'limit',
      selectors: [{ type: 'HTTP', path: '/', pathOperator: 'STARTS_WITH' }],
      request: [
        {
          name: 'Rate Limit',
          policy: 'rate-limit',
          configuration: {
            addHeaders: true,
            rate: { limit, periodTime: 1, periodTimeUnit: 'MINUTES', ...extra },
          },
        },
      ],
      response: [],
    },
  ];
  return definition;
}

async function gatewayOn(
  store: Awaited<ReturnType<typeof memoryStore>>,
  options: Partial<Parameters<typeof startGateway>[0]> = {},
) {
  const gateway: RunningGateway = await startGateway({
    store,
    port: 0,
    host: '127.0.0.1',
    syncIntervalMs: 100,
    ...options,
  });
  cleanups.add(() => gateway.close());
  return gateway;
}

describe('rate-limit through the gateway', () => {
  it('admits the limit, puts the counters on proxied answers, then answers 429 with Retry-After', async () => {
    const upstream = await echoUpstream(cleanups);
    const store = await memoryStore();
    cleanups.add(() => store.close());
    await publish(store, 'limited', limited(upstream.url, 3));
    const gateway = await gatewayOn(store);
    const answers = [];
    for (let i = 0; i < 5; i++)
      answers.push(await send(gateway.port, { path: '/limited', headers: { accept: 'application/json' } }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429]);
    expect(answers[0]!.headers).toMatchObject({ 'x-rate-limit-limit': '3', 'x-rate-limit-remaining': '2' });
    expect(answers[2]!.headers['x-rate-limit-remaining']).toBe('0');
    expect(Number(answers[0]!.headers['x-rate-limit-reset'])).toBeGreaterThan(Date.now());
    const refused = answers[3]!;
    expect(JSON.parse(refused.body.toString())).toMatchObject({ http_status_code: 429 });
    expect(JSON.parse(refused.body.toString()).message).toContain('Rate limit exceeded');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(upstream.requests).toHaveLength(3);
  });

  it.skipIf(REDIS_URL === undefined)(
    'two gateways sharing Redis never admit more than the limit together',
    async () => {
      const upstream = await echoUpstream(cleanups);
      const store = await memoryStore();
      cleanups.add(() => store.close());
      // A key unique to this run: the counters live in the shared Redis.
      await publish(
        store,
        'limited',
        limited(upstream.url, 7, { key: `run-${Date.now()}-${Math.random()}`, useKeyOnly: true }),
      );
      const redis = { type: 'redis' as const, url: REDIS_URL!, commandTimeoutMs: 500 };
      const a = await gatewayOn(store, { rateLimit: redis });
      const b = await gatewayOn(store, { rateLimit: redis });
      const calls = [];
      for (let i = 0; i < 20; i++) calls.push(send((i % 2 === 0 ? a : b).port, { path: '/limited' }));
      const statuses = (await Promise.all(calls)).map((answer) => answer.status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(7);
      expect(statuses.filter((status) => status === 429)).toHaveLength(13);
      expect(upstream.requests).toHaveLength(7);
    },
  );

  it('passes through when the store cannot answer (FALLBACK_PASS_THROUGH), and the node service says so', async () => {
    const upstream = await echoUpstream(cleanups);
    const store = await memoryStore();
    cleanups.add(() => store.close());
    await publish(store, 'limited', limited(upstream.url, 1));
    const gateway = await gatewayOn(store, {
      rateLimit: { type: 'redis', url: 'redis://127.0.0.1:1', commandTimeoutMs: 50, connectTimeoutMs: 100 },
      node: { port: 0, authentication: { type: 'none' } },
    });
    const started = Date.now();
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await send(gateway.port, { path: '/limited' })).status);
    expect(statuses).toEqual([200, 200, 200]);
    expect(Date.now() - started).toBeLessThan(2_000);
    const health = await fetch(`http://127.0.0.1:${gateway.nodePort}/_node/health?probes=ratelimit-repository`);
    expect(health.status).toBe(500);
    const probes = (await health.json()) as Record<string, { healthy: boolean }>;
    expect(probes['ratelimit-repository']?.healthy).toBe(false);
  });
});
