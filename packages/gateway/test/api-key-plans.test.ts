/**
 * API-key plans on the request path, with the subscriptions and keys read from a real store by the security sync:
 * Gravitee's bench definition `2-api-key-v4.json`, a real upstream, keys hashed in the store.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConfigStore, hashApiKey, type JsonObject, maskApiKey, nowIso } from '@apim/core';
import { readJsonFixture } from '@apim/testkit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SecuritySync } from '../src/security/security-sync.js';
import { SubscriptionRegistry } from '../src/security/subscription-registry.js';
import { callerHeaderFlow, send } from './helpers.js';
import { cleanupList, echoUpstream, startSecuredGateway } from './server-helpers.js';
import { faultyStore, memoryStore } from './store-helpers.js';

const cleanups = cleanupList();
afterEach(() => cleanups.run());

const KEY = 'Zm9vYmFyLWEtcmVhbC1sb29raW5nLWtleQ';

interface Setup {
  store: ConfigStore;
  port: number;
  upstream: Awaited<ReturnType<typeof echoUpstream>>;
  sync: SecuritySync;
}

/** The fixture's API (plan id `key-plan`) deployed on a gateway whose security sync reads `store`. */
async function setup(planConfiguration: JsonObject = {}, flows?: JsonObject[]): Promise<Setup> {
  const upstream = await echoUpstream(cleanups);
  const store = await memoryStore();
  cleanups.add(() => store.close());
  const fixture = readJsonFixture<{ api: JsonObject; plans: JsonObject[] }>('gravitee/bench/2-api-key-v4.json');
  const api = fixture.api as { id: string; endpointGroups: { endpoints: { configuration: JsonObject }[] }[] };
  api.id = 'api-1';
  api.endpointGroups[0]!.endpoints[0]!.configuration = { target: `${upstream.url}/backend` };
  if (flows !== undefined) (api as unknown as JsonObject).flows = flows;
  const plans = fixture.plans.map((plan) => ({
    ...plan,
    id: 'key-plan',
    security: { type: 'API_KEY', configuration: planConfiguration },
  }));
  const subscriptions = new SubscriptionRegistry();
  const sync = new SecuritySync({ store, sink: subscriptions, syncIntervalMs: 50 });
  const { port } = await startSecuredGateway(cleanups, { subscriptions }, { api, plans } as unknown as JsonObject);
  cleanups.add(() => sync.stop());
  return { store, port, upstream, sync };
}

/** An application, an accepted subscription to `key-plan` and its key, as the management API stores them. */
async function subscribe(
  store: ConfigStore,
  key = KEY,
  subscriptionId = 'sub-1',
  applicationId = 'app-1',
): Promise<void> {
  const now = nowIso();
  if ((await store.applications.findById(applicationId)) === undefined) {
    await store.applications.create({
      id: applicationId,
      environmentId: 'DEFAULT',
      name: 'App',
      type: 'SIMPLE',
      status: 'ACTIVE',
      settings: {},
      createdAt: now,
      updatedAt: now,
    });
  }
  await store.subscriptions.create({
    id: subscriptionId,
    environmentId: 'DEFAULT',
    apiId: 'api-1',
    planId: 'key-plan',
    applicationId,
    status: 'ACCEPTED',
    startingAt: now,
    createdAt: now,
    updatedAt: now,
  });
  await store.apiKeys.create({
    id: `key-of-${subscriptionId}`,
    environmentId: 'DEFAULT',
    applicationId,
    subscriptionIds: [subscriptionId],
    keyHash: hashApiKey(key),
    keyMask: maskApiKey(key),
    revoked: false,
    paused: false,
    createdAt: now,
    updatedAt: now,
  });
}

const json = { accept: 'application/json' };

describe('API-key plans', () => {
  it('serves a valid key from the header or the query, and forwards neither', async () => {
    const { store, port, upstream, sync } = await setup();
    await subscribe(store);
    await sync.start();
    const byHeader = await send(port, { path: '/apikey/items', headers: { 'X-Gravitee-Api-Key': KEY } });
    expect(byHeader.status).toBe(200);
    const byQuery = await send(port, { path: `/apikey/items?a=1&api-key=${KEY}&b=2` });
    expect(byQuery.status).toBe(200);
    expect(upstream.requests.map((r) => r.url)).toEqual(['/backend/items', '/backend/items?a=1&b=2']);
    expect(upstream.requests[0]!.headers['x-gravitee-api-key']).toBeUndefined();
  });

  it('propagates the key when the plan says so', async () => {
    const { store, port, upstream, sync } = await setup({ propagateApiKey: true });
    await subscribe(store);
    await sync.start();
    expect((await send(port, { path: '/apikey', headers: { 'X-Gravitee-Api-Key': KEY } })).status).toBe(200);
    expect(upstream.requests[0]!.headers['x-gravitee-api-key']).toBe(KEY);
  });

  it('refuses a missing key (GATEWAY_PLAN_UNRESOLVABLE) and a wrong one (API_KEY_INVALID), reaching no upstream', async () => {
    const { store, port, upstream, sync } = await setup();
    await subscribe(store);
    await sync.start();
    const missing = await send(port, { path: '/apikey', headers: json });
    expect(missing.status).toBe(401);
    expect(JSON.parse(missing.body.toString())).toEqual({ message: 'Unauthorized', http_status_code: 401 });
    const wrong = await send(port, { path: '/apikey', headers: { ...json, 'X-Gravitee-Api-Key': `${KEY}x` } });
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body.toString())).toEqual({
      message: 'API Key is not valid or is expired / revoked.',
      http_status_code: 401,
    });
    expect(upstream.requests).toHaveLength(0);
  });

  it('sees a new key, a revocation, an expiry and a closed subscription within one sync cycle', async () => {
    const { store, port, sync } = await setup();
    await sync.start();
    const call = async (key = KEY) =>
      (await send(port, { path: '/apikey', headers: { 'X-Gravitee-Api-Key': key } })).status;
    expect(await call()).toBe(401);
    await subscribe(store);
    await vi.waitFor(async () => expect(await call()).toBe(200), { timeout: 1_000, interval: 20 });

    const key = (await store.apiKeys.findById('key-of-sub-1'))!;
    await store.apiKeys.update({ ...key, revoked: true, revokedAt: nowIso(), updatedAt: nowIso() });
    await vi.waitFor(async () => expect(await call()).toBe(401), { timeout: 1_000, interval: 20 });
    await store.apiKeys.update({ ...key, revoked: false, revokedAt: null, updatedAt: nowIso() });
    await vi.waitFor(async () => expect(await call()).toBe(200), { timeout: 1_000, interval: 20 });

    const expired = new Date(Date.now() + 300).toISOString();
    await store.apiKeys.update({ ...key, expireAt: expired, updatedAt: nowIso() });
    await vi.waitFor(async () => expect(await call()).toBe(401), { timeout: 2_000, interval: 20 });

    await subscribe(store, 'another-key-for-the-same-plan', 'sub-2', 'app-2');
    await vi.waitFor(async () => expect(await call('another-key-for-the-same-plan')).toBe(200), {
      timeout: 1_000,
      interval: 20,
    });
    const subscription = (await store.subscriptions.findById('sub-2'))!;
    await store.subscriptions.update({ ...subscription, status: 'CLOSED', closedAt: nowIso(), updatedAt: nowIso() });
    await vi.waitFor(async () => expect(await call('another-key-for-the-same-plan')).toBe(401), {
      timeout: 1_000,
      interval: 20,
    });
  });

  it('gives flows the application, subscription and plan as context attributes', async () => {
    const flows = callerHeaderFlow(
      "{#context.attributes['application']}/{#context.attributes['subscription-id']}/{#context.attributes['plan']}/{#context.attributes['gravitee.attribute.api']}",
    );
    const { store, port, upstream, sync } = await setup({}, flows);
    await subscribe(store);
    await sync.start();
    expect((await send(port, { path: '/apikey', headers: { 'X-Gravitee-Api-Key': KEY } })).status).toBe(200);
    expect(upstream.requests[0]!.headers['x-caller']).toBe('app-1/sub-1/key-plan/api-1');
    expect(upstream.requests[0]!.headers['x-gravitee-api-key']).toBeUndefined();
  });
});

describe('local copy of subscriptions and API keys', () => {
  it('is written after changes and served when the store is unreachable at start, until the store answers', async () => {
    const store = await memoryStore();
    cleanups.add(() => store.close());
    await subscribe(store);
    const dir = await mkdtemp(join(tmpdir(), 'apim-security-copy-'));
    cleanups.add(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'gateway-state.security.json');
    const first = new SubscriptionRegistry();
    const writer = new SecuritySync({
      store,
      sink: first,
      localStatePath: path,
      localStateDebounceMs: 20,
      state: () => ({ subscriptions: first.allSubscriptions(), apiKeys: first.allApiKeys() }),
    });
    await writer.start();
    await writer.stop();
    const written = JSON.parse(await readFile(path, 'utf8'));
    expect(written.apiKeys.map((k: { keyHash: string }) => k.keyHash)).toEqual([hashApiKey(KEY)]);
    expect(JSON.stringify(written)).not.toContain(KEY);
    expect((await stat(path)).mode & 0o777).toBe(0o600);

    const { store: down, control } = faultyStore(store);
    control.failing = true;
    const second = new SubscriptionRegistry();
    const reader = new SecuritySync({
      store: down,
      sink: second,
      syncIntervalMs: 50,
      localStatePath: path,
      state: () => ({ subscriptions: second.allSubscriptions(), apiKeys: second.allApiKeys() }),
    });
    cleanups.add(() => reader.stop());
    await reader.start();
    expect(reader.servingFromLocalCopy).toBe(true);
    expect(second.subscriptionForKey(hashApiKey(KEY), 'api-1', 'key-plan', Date.now())?.id).toBe('sub-1');
    control.failing = false;
    await vi.waitFor(() => expect(reader.servingFromLocalCopy).toBe(false), { timeout: 1_000, interval: 20 });
    expect(reader.loaded).toBe(true);
    expect(second.apiKeyCount).toBe(1);
  });
});
