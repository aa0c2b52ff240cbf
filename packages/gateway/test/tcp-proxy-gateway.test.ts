import { once } from 'node:events';
import type { JsonObject } from '@apim/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiRegistry, startGateway, TcpRouteTable } from '../src/index.js';
import { runtime, snapshot } from './helpers.js';
import { cleanupList } from './server-helpers.js';
import { memoryStore, publish } from './store-helpers.js';
import { closeOf, echoUpstream, exchange, tcpApi, tcpClient } from './tcp-proxy-helpers.js';
import { makeCertificates, type TestCertificates } from './tls-helpers.js';

let certs: TestCertificates;
beforeAll(() => {
  certs = makeCertificates();
});
afterAll(() => certs.remove());
const cleanups = cleanupList();
afterEach(() => cleanups.run());

const HOST = 'db.apps.example.com';

/** The bench HTTP API with a TCP listener and a tcp-proxy group added (an API served on both servers). */
function withTcpListener(definition: JsonObject, port: number): JsonObject {
  const tcp = tcpApi('ignored', [HOST], [{ port }]) as { listeners: unknown[]; endpointGroups: unknown[] };
  const api = definition.api as { listeners: unknown[]; endpointGroups: unknown[] };
  api.listeners.push(...tcp.listeners);
  api.endpointGroups.push(...tcp.endpointGroups);
  return definition;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('TCP proxy APIs in the gateway', () => {
  it('the route table follows the registry: deployed APIs now, then deploys and undeploys', async () => {
    const registry = new ApiRegistry();
    registry.deploy(runtime(withTcpListener(snapshot({ id: 'first' }), 1)));
    const table = new TcpRouteTable();
    const stop = table.follow(registry);
    expect(table.match(HOST)?.apiId).toBe('first');
    registry.undeploy('first');
    expect(table.match(HOST)).toBeUndefined();
    registry.deploy(runtime(withTcpListener(snapshot({ id: 'second' }), 2)));
    expect(table.match(HOST)?.endpoints[0]?.port).toBe(2);
    stop();
    registry.undeploy('second');
    expect(table.match(HOST)?.apiId).toBe('second');
    await registry.close(100);
  });

  it('deploys a TCP-only API (Gravitee shape) through the store and serves it on tcpPort', async () => {
    const up = await echoUpstream(cleanups);
    const store = await memoryStore();
    cleanups.add(() => store.close());
    const keyless = { id: 'keyless', name: 'Keyless', security: { type: 'KEY_LESS' }, status: 'PUBLISHED' };
    await publish(store, 'tcp-only', { api: tcpApi('tcp-only', [HOST], [{ port: up.port }]), plans: [keyless] });
    const gw = await startGateway({
      store,
      port: 0,
      host: '127.0.0.1',
      syncIntervalMs: 50,
      tcp: { port: 0, host: '127.0.0.1', tls: { certificates: [{ cert: certs.server.cert, key: certs.server.key }] } },
    });
    cleanups.add(() => gw.close());
    expect(gw.registry.get('tcp-only')).toBeDefined();
    expect((await exchange(await tcpClient(gw.tcpPort!, HOST, certs.ca), 'tcp only')).toString()).toBe('tcp only');
    // Nothing of it is routed on the HTTP port.
    expect((await fetch(`http://127.0.0.1:${gw.port}/`)).status).toBe(404);
  });

  it('startGateway serves TCP proxy APIs on tcpPort, stops routing an undeployed API, and drains on close', async () => {
    const up = await echoUpstream(cleanups);
    const store = await memoryStore();
    cleanups.add(() => store.close());
    const definition = withTcpListener(snapshot({ id: 'mixed', paths: [{ path: '/mixed' }] }), up.port);
    await publish(store, 'mixed', definition);
    const gw = await startGateway({
      store,
      port: 0,
      host: '127.0.0.1',
      syncIntervalMs: 50,
      drainTimeoutMs: 300,
      tcp: { port: 0, host: '127.0.0.1', tls: { certificates: [{ cert: certs.server.cert, key: certs.server.key }] } },
    });
    let closed = false;
    cleanups.add(async () => {
      if (!closed) await gw.close();
    });
    expect(gw.tcpPort).toBeGreaterThan(0);
    expect((await exchange(await tcpClient(gw.tcpPort!, HOST, certs.ca), 'over tcp')).toString()).toBe('over tcp');

    // An echo first: the tunnel is established (server side too) before the API goes away.
    const open = await tcpClient(gw.tcpPort!, HOST, certs.ca);
    open.write('first');
    expect(String(((await once(open, 'data')) as [Buffer])[0])).toBe('first');
    await publish(store, 'mixed', definition, { state: 'STOPPED', eventType: 'STOP_API' });
    for (let i = 0; i < 40 && gw.registry.get('mixed') !== undefined; i++) await sleep(25);
    expect(gw.registry.get('mixed')).toBeUndefined();
    await expect(tcpClient(gw.tcpPort!, HOST, certs.ca)).rejects.toThrow();

    // The tunnel opened before the undeploy still works, until close() cuts it at the drain deadline.
    open.write('still');
    const [echoed] = (await once(open, 'data')) as [Buffer];
    expect(echoed.toString()).toBe('still');
    const started = Date.now();
    const cut = closeOf(open);
    await gw.close();
    closed = true;
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(['end', 'error', 'close']).toContain(await cut);
  });

  it('is off without the tcp option', async () => {
    const store = await memoryStore();
    cleanups.add(() => store.close());
    const gw = await startGateway({ store, port: 0, host: '127.0.0.1' });
    cleanups.add(() => gw.close());
    expect(gw.tcpPort).toBeUndefined();
  });
});
