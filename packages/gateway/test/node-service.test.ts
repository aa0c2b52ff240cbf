import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { ConfigStore, JsonObject } from '@apim/core';
import { type EchoUpstream, startEchoUpstream } from '@apim/testkit';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type GatewayOptions, REDACTED, type RunningGateway, startGateway } from '../src/index.js';
import { send, snapshot } from './helpers.js';
import { basic, json, NODE_PASSWORD, NODE_USER, nodeGet } from './node-helpers.js';
import { faultyStore, memoryStore, publish } from './store-helpers.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

const AUTH = { type: 'basic', users: { [NODE_USER]: NODE_PASSWORD } } as const;

async function upstream(): Promise<EchoUpstream> {
  const up = await startEchoUpstream();
  cleanups.push(() => up.close());
  return up;
}

async function gateway(
  store: ConfigStore,
  node: Partial<NonNullable<GatewayOptions['node']>> = {},
  options: Partial<GatewayOptions> = {},
): Promise<RunningGateway & { nodePort: number }> {
  const gw = await startGateway({
    store,
    port: 0,
    host: '127.0.0.1',
    ...options,
    node: { port: 0, authentication: AUTH, ...node },
  });
  cleanups.push(() => gw.close());
  expect(gw.nodePort).toBeGreaterThan(0);
  return gw as RunningGateway & { nodePort: number };
}

async function storeWithApi(target: string, api: (definition: JsonObject) => void = () => {}): Promise<ConfigStore> {
  const store = await memoryStore();
  cleanups.push(() => store.close());
  const definition = snapshot({ id: 'api-1', paths: [{ path: '/one' }], targets: [target] });
  api(definition.api as JsonObject);
  await publish(store, 'api-1', definition);
  return store;
}

describe('node service authentication', () => {
  it('answers 401 with a Basic challenge without credentials, with a wrong password or user, 200 with the right ones', async () => {
    const up = await upstream();
    const lines: string[] = [];
    const logger = pino(
      { level: 'trace' },
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const gw = await gateway(await storeWithApi(up.url), {}, { logger });
    for (const authorization of [
      null,
      basic(NODE_USER, 'wrong'),
      basic('nobody', NODE_PASSWORD),
      `Bearer ${NODE_PASSWORD}`,
      'Basic !!!',
    ]) {
      for (const path of ['/_node', '/_node/health', '/_node/metrics/prometheus', '/_node/apis', '/nowhere']) {
        const res = await nodeGet(gw.nodePort, path, authorization);
        expect(res.status, `${path} with ${authorization}`).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(/^Basic realm=/);
      }
    }
    const res = await nodeGet(gw.nodePort, '/_node');
    expect(res.status).toBe(200);
    const info = json(res);
    expect(info).toMatchObject({ name: 'APIM Gateway', version: '0.1.0', pid: process.pid, apis: 1 });
    expect(info.sync).toMatchObject({ firstSyncDone: true, syncs: 1, failures: 0 });
    expect(typeof info.id).toBe('string');
    expect(lines.join('')).toContain('node service listening');
    expect(lines.join('')).not.toContain(NODE_PASSWORD);
  });

  it('can be turned off explicitly, is off unless configured, and stops with the gateway', async () => {
    const up = await upstream();
    const store = await storeWithApi(up.url);
    const open = await gateway(store, { authentication: { type: 'none' } });
    expect((await nodeGet(open.nodePort, '/_node/health', null)).status).toBe(200);
    await open.close();
    await expect(nodeGet(open.nodePort, '/_node', null)).rejects.toThrow(/ECONNREFUSED/);

    const plain = await startGateway({ store, port: 0, host: '127.0.0.1' });
    cleanups.push(() => plain.close());
    expect(plain.nodePort).toBeUndefined();
    const disabled = await startGateway({
      store,
      port: 0,
      host: '127.0.0.1',
      node: { enabled: false, authentication: AUTH },
    });
    cleanups.push(() => disabled.close());
    expect(disabled.nodePort).toBeUndefined();
  });

  it('fails the gateway start when the node port is taken, releasing the gateway port', async () => {
    const store = await storeWithApi((await upstream()).url);
    const taken = createServer();
    taken.listen(0, '127.0.0.1');
    await once(taken, 'listening');
    cleanups.push(() => new Promise((resolve) => taken.close(() => resolve())));
    const { port } = taken.address() as AddressInfo;
    const probe = await startGateway({ store, port: 0, host: '127.0.0.1' });
    const gatewayPort = probe.port;
    await probe.close();
    await expect(
      startGateway({ store, port: gatewayPort, host: '127.0.0.1', node: { port, authentication: AUTH } }),
    ).rejects.toThrow(/EADDRINUSE/);
    const again = await startGateway({ store, port: gatewayPort, host: '127.0.0.1' });
    await again.close();
  });

  it('shows the sharding tags of the gateway in the node info', async () => {
    const gw = await gateway(await storeWithApi((await upstream()).url), {}, { shardingTags: 'internal,!beta' });
    const info = json(await nodeGet(gw.nodePort, '/_node'));
    expect(info).toMatchObject({ shardingTags: 'internal,!beta', apis: 0 });
  });

  it('answers 405 to other methods and 404 to unknown paths', async () => {
    const gw = await gateway(await storeWithApi((await upstream()).url));
    const post = await send(gw.nodePort, {
      method: 'POST',
      path: '/_node/health',
      headers: { authorization: basic(NODE_USER, NODE_PASSWORD) },
    });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const missing = await nodeGet(gw.nodePort, '/_node/nothing');
    expect(missing.status).toBe(404);
    expect(json(missing)).toEqual({ message: 'Not Found', http_status_code: 404 });
  });
});

describe('GET /_node/health', () => {
  const PROBES = ['http-server', 'sync-process', 'management-repository', 'ratelimit-repository', 'memory'];

  it('is green with every probe once the first sync is done', async () => {
    const gw = await gateway(await storeWithApi((await upstream()).url));
    const res = await nodeGet(gw.nodePort, '/_node/health');
    expect(res.status).toBe(200);
    const body = json<Record<string, { healthy: boolean; message?: string }>>(res);
    expect(Object.keys(body).sort()).toEqual([...PROBES].sort());
    for (const id of PROBES) expect(body[id]?.healthy, id).toBe(true);
    expect(body['sync-process']?.message).toMatch(/last successful synchronization .* s ago/);
    expect(body.memory?.message).toMatch(/heap \d+ MiB used of \d+ MiB/);
  });

  it('filters with ?probes= (unknown ids ignored)', async () => {
    const gw = await gateway(await storeWithApi((await upstream()).url));
    const res = await nodeGet(gw.nodePort, '/_node/health?probes=memory,%20sync-process,nope');
    expect(res.status).toBe(200);
    expect(Object.keys(json(res)).sort()).toEqual(['memory', 'sync-process']);
  });

  it('is red (500) until the first sync succeeds, then green', async () => {
    const real = await storeWithApi((await upstream()).url);
    const { store, control } = faultyStore(real);
    control.failing = true;
    const gw = await gateway(store, {}, { syncIntervalMs: 60_000 });
    const red = await nodeGet(gw.nodePort, '/_node/health');
    expect(red.status).toBe(500);
    const body = json<Record<string, { healthy: boolean; message?: string }>>(red);
    expect(body['sync-process']).toEqual({
      healthy: false,
      message: 'first synchronization not done yet (1 failed attempts)',
    });
    expect(body['http-server']).toEqual({ healthy: true });
    control.failing = false;
    await gw.sync.syncNow();
    expect((await nodeGet(gw.nodePort, '/_node/health')).status).toBe(200);
  });

  it('turns sync-process red when the last successful sync is older than syncMaxAgeMs', async () => {
    const { store, control } = faultyStore(await storeWithApi((await upstream()).url));
    const gw = await gateway(store, { syncMaxAgeMs: 300 }, { syncIntervalMs: 50 });
    expect((await nodeGet(gw.nodePort, '/_node/health?probes=sync-process')).status).toBe(200);
    control.failing = true;
    await new Promise((resolve) => setTimeout(resolve, 450));
    const res = await nodeGet(gw.nodePort, '/_node/health?probes=sync-process');
    expect(res.status).toBe(500);
    expect(json<Record<string, { message: string }>>(res)['sync-process']?.message).toMatch(
      /last successful synchronization \d+\.\d s ago \(\d+ failed cycles in total\)/,
    );
  });

  it('turns management-repository red when the store is closed, and caches the ping result', async () => {
    const store = await storeWithApi((await upstream()).url);
    const gw = await gateway(store, { storeProbe: { cacheMs: 300 } });
    const green = await nodeGet(gw.nodePort, '/_node/health?probes=management-repository');
    expect(green.status).toBe(200);
    expect(json(green)).toEqual({ 'management-repository': { healthy: true, message: 'sqlite reachable' } });
    await store.close();
    // Still the cached result.
    expect((await nodeGet(gw.nodePort, '/_node/health?probes=management-repository')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 350));
    const red = await nodeGet(gw.nodePort, '/_node/health');
    expect(red.status).toBe(500);
    const body = json<Record<string, { healthy: boolean; message?: string }>>(red);
    expect(body['management-repository']?.healthy).toBe(false);
    expect(body['management-repository']?.message).toMatch(/^sqlite unreachable: /);
    expect((await nodeGet(gw.nodePort, '/_node/health?probes=memory,http-server')).status).toBe(200);
  });

  it('takes extra probes, replaces built-in ones by id, and reports thrown errors and the memory threshold', async () => {
    const gw = await gateway(await storeWithApi((await upstream()).url), {
      memoryThreshold: 0.000_001,
      probes: [
        { id: 'ratelimit-repository', check: async () => ({ healthy: false, message: 'redis down' }) },
        {
          id: 'custom',
          check: async () => {
            throw new Error('boom');
          },
        },
      ],
    });
    const res = await nodeGet(gw.nodePort, '/_node/health?probes=ratelimit-repository,custom,memory');
    expect(res.status).toBe(500);
    const body = json<Record<string, { healthy: boolean; message?: string }>>(res);
    expect(body['ratelimit-repository']).toEqual({ healthy: false, message: 'redis down' });
    expect(body.custom).toEqual({ healthy: false, message: 'boom' });
    expect(body.memory?.healthy).toBe(false);
  });
});

describe('GET /_node/apis', () => {
  const PRIVATE_KEY = '-----BEGIN PRIVATE KEY-----\nMIIfake\n-----END PRIVATE KEY-----';

  async function withSecrets() {
    const up = await upstream();
    const store = await storeWithApi(up.url, (api) => {
      const group = (api.endpointGroups as JsonObject[])[0]!;
      group.sharedConfiguration = {
        ...(group.sharedConfiguration as JsonObject),
        proxy: { enabled: false, host: 'proxy.local', port: 3128, username: 'proxy-user', password: 'proxy-pass' },
        headers: [
          { name: 'Authorization', value: 'Bearer upstream-token' },
          { name: 'X-Tenant', value: 'acme' },
        ],
        ssl: {
          trustAll: false,
          trustStore: { type: 'PEM', content: 'TRUSTED-CA-CONTENT' },
          keyStore: { type: 'PEM', certContent: 'CERT-CONTENT', keyContent: PRIVATE_KEY },
        },
      };
      api.properties = [
        { key: 'region', value: 'eu-west', encrypted: false },
        { key: 'db', value: 'encrypted-value', encrypted: true },
        { key: 'client-secret', value: 'plain-secret', encrypted: false },
      ];
    });
    return { up, gw: await gateway(store) };
  }

  it('lists the deployed APIs', async () => {
    const { gw } = await withSecrets();
    const res = await nodeGet(gw.nodePort, '/_node/apis');
    expect(res.status).toBe(200);
    expect(json<unknown[]>(res)).toEqual([
      {
        id: 'api-1',
        name: 'Passthrough',
        apiVersion: '1.0.0',
        environmentId: 'DEFAULT',
        revision: 1,
        deploymentId: expect.any(String),
        contextPaths: [{ path: '/one' }],
        state: 'STARTED',
        inFlight: 0,
      },
    ]);
  });

  it('shows one API with its deployed definition, secrets redacted', async () => {
    const { gw, up } = await withSecrets();
    const res = await nodeGet(gw.nodePort, '/_node/apis/api-1');
    expect(res.status).toBe(200);
    const text = res.body.toString();
    for (const secret of [
      'proxy-pass',
      'upstream-token',
      'MIIfake',
      'CERT-CONTENT',
      'TRUSTED-CA',
      'encrypted-value',
      'plain-secret',
    ]) {
      expect(text).not.toContain(secret);
    }
    const detail = json<{
      revision: number;
      deployedAt: string;
      definition: { api: JsonObject; plans: JsonObject[] };
    }>(res);
    expect(detail.revision).toBe(1);
    expect(Date.parse(detail.deployedAt)).toBeGreaterThan(Date.now() - 60_000);
    const group = (detail.definition.api.endpointGroups as JsonObject[])[0]!;
    expect((group.endpoints as JsonObject[])[0]!.configuration).toEqual({ target: up.url });
    expect(group.sharedConfiguration).toMatchObject({
      proxy: { host: 'proxy.local', username: 'proxy-user', password: REDACTED },
      headers: [
        { name: 'Authorization', value: REDACTED },
        { name: 'X-Tenant', value: 'acme' },
      ],
      ssl: {
        trustStore: { type: 'PEM', content: REDACTED },
        keyStore: { type: 'PEM', certContent: REDACTED, keyContent: REDACTED },
      },
    });
    expect(detail.definition.api.properties).toEqual([
      { key: 'region', value: 'eu-west', encrypted: false, dynamic: false },
      { key: 'db', value: REDACTED, encrypted: true, dynamic: false },
      { key: 'client-secret', value: REDACTED, encrypted: false, dynamic: false },
    ]);
    expect(detail.definition.plans).toHaveLength(1);
  });

  it('answers 404 in JSON for an API that is not deployed', async () => {
    const { gw } = await withSecrets();
    for (const id of ['unknown', '%E0%A4%A']) {
      const res = await nodeGet(gw.nodePort, `/_node/apis/${id}`);
      expect(res.status).toBe(404);
      expect(json(res).http_status_code).toBe(404);
    }
  });
});
