import type { ConfigStore } from '@apim/core';
import { type EchoUpstream, startEchoUpstream } from '@apim/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiRegistry, GatewaySync, type RunningGateway, startGateway } from '../src/index.js';
import { send, snapshot } from './helpers.js';
import { faultyStore, memoryStore, publish, setState } from './store-helpers.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function upstream(): Promise<EchoUpstream> {
  const server = await startEchoUpstream();
  cleanups.push(() => server.close());
  return server;
}

async function store(environmentIds?: string[]): Promise<ConfigStore> {
  const s = await memoryStore(environmentIds);
  cleanups.push(() => s.close());
  return s;
}

async function gateway(options: Omit<Parameters<typeof startGateway>[0], 'port'>): Promise<RunningGateway> {
  const gw = await startGateway({ port: 0, host: '127.0.0.1', ...options });
  cleanups.push(() => gw.close());
  return gw;
}

/** Polls `path` until `accept(status)` and returns the elapsed milliseconds. */
async function within(port: number, path: string, accept: (status: number) => boolean, timeoutMs = 1_000) {
  const started = Date.now();
  for (;;) {
    const { status } = await send(port, { path });
    if (accept(status)) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`${path} still answers ${status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('GatewaySync on a real SQLite store', () => {
  it('loads the started APIs of the served environments at start', async () => {
    const up = await upstream();
    const s = await store(['DEFAULT', 'OTHER']);
    await publish(s, 'started', snapshot({ paths: [{ path: '/started' }], targets: [up.url] }));
    await publish(s, 'stopped', snapshot({ paths: [{ path: '/stopped' }], targets: [up.url] }), { state: 'STOPPED' });
    await publish(s, 'elsewhere', snapshot({ paths: [{ path: '/elsewhere' }], targets: [up.url] }), {
      environmentId: 'OTHER',
    });
    const gw = await gateway({ store: s, environmentIds: ['DEFAULT'] });
    expect(gw.sync.firstSyncDone).toBe(true);
    expect(gw.sync.lastSyncAt).toBeInstanceOf(Date);
    expect(gw.registry.ids()).toEqual(['started']);
    expect((await send(gw.port, { path: '/started/x' })).status).toBe(200);
    expect((await send(gw.port, { path: '/stopped' })).status).toBe(404);
    expect((await send(gw.port, { path: '/elsewhere' })).status).toBe(404);
  });

  it('serves a published API within 1 s, removes it on STOP_API, and switches targets on redeploy', async () => {
    const a = await upstream();
    const b = await upstream();
    const s = await store();
    const gw = await gateway({ store: s });
    expect((await send(gw.port, { path: '/orders' })).status).toBe(404);

    await publish(s, 'orders', snapshot({ paths: [{ path: '/orders' }], targets: [a.url] }));
    expect(await within(gw.port, '/orders', (status) => status === 200)).toBeLessThan(1_000);
    expect(a.requests.at(-1)?.url).toBe('/');

    await publish(s, 'orders', snapshot({ paths: [{ path: '/orders' }], targets: [`${b.url}/v2`] }));
    const switched = Date.now();
    for (;;) {
      const res = await send(gw.port, { path: '/orders/1' });
      if (res.headers['x-upstream-url'] === '/v2/1') break;
      expect(Date.now() - switched).toBeLessThan(1_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(gw.registry.get('orders')?.revision).toBe(2);

    await setState(s, 'orders', 'STOPPED');
    expect(await within(gw.port, '/orders', (status) => status === 404)).toBeLessThan(1_000);
    expect(gw.registry.size).toBe(0);
    expect(gw.sync.counts).toMatchObject({ deploys: 2, undeploys: 1 });
  });

  it('fails none of a stream of concurrent requests across hot redeploys', async () => {
    const a = await upstream();
    const b = await upstream();
    const s = await store();
    await publish(s, 'hot', snapshot({ paths: [{ path: '/hot' }], targets: [a.url] }));
    const gw = await gateway({ store: s, syncIntervalMs: 50 });
    const statuses: number[] = [];
    let running = true;
    const client = async () => {
      while (running)
        statuses.push((await send(gw.port, { path: '/hot/x', headers: { 'x-echo-delay-ms': '5' } })).status);
    };
    const clients = Array.from({ length: 8 }, client);
    for (const target of [b.url, a.url, b.url]) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      await publish(s, 'hot', snapshot({ paths: [{ path: '/hot' }], targets: [target] }));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    running = false;
    await Promise.all(clients);
    expect(statuses.length).toBeGreaterThan(50);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(gw.registry.get('hot')?.revision).toBe(4);
    expect(a.requests.length).toBeGreaterThan(0);
    expect(b.requests.length).toBeGreaterThan(0);
    // Every replaced runtime closed its pools once its requests were done.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(gw.registry.retiringCount).toBe(0);
  });

  it('does not miss an event committed late with an older timestamp', async () => {
    const up = await upstream();
    const s = await store();
    const gw = await gateway({ store: s });
    await publish(s, 'first', snapshot({ paths: [{ path: '/first' }], targets: [up.url] }));
    await within(gw.port, '/first', (status) => status === 200);
    const twoSecondsAgo = new Date(Date.now() - 2_000).toISOString();
    await publish(s, 'late', snapshot({ paths: [{ path: '/late' }], targets: [up.url] }), {
      eventCreatedAt: twoSecondsAgo,
    });
    expect(await within(gw.port, '/late', (status) => status === 200)).toBeLessThan(1_000);
  });

  it('keeps serving the last state while the store is down, and catches up when it is back', async () => {
    const up = await upstream();
    const real = await store();
    const { store: s, control } = faultyStore(real);
    await publish(real, 'kept', snapshot({ paths: [{ path: '/kept' }], targets: [up.url] }));
    const gw = await gateway({ store: s, syncIntervalMs: 50 });
    control.failing = true;
    await publish(real, 'missed', snapshot({ paths: [{ path: '/missed' }], targets: [up.url] }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(gw.sync.counts.failures).toBeGreaterThan(0);
    expect((await send(gw.port, { path: '/kept' })).status).toBe(200);
    expect((await send(gw.port, { path: '/missed' })).status).toBe(404);
    control.failing = false;
    expect(await within(gw.port, '/missed', (status) => status === 200)).toBeLessThan(1_000);
  });

  it('starts even when the store is down, and loads everything once it answers', async () => {
    const up = await upstream();
    const real = await store();
    const { store: s, control } = faultyStore(real);
    await publish(real, 'later', snapshot({ paths: [{ path: '/later' }], targets: [up.url] }));
    control.failing = true;
    const gw = await gateway({ store: s, syncIntervalMs: 50 });
    expect(gw.sync.firstSyncDone).toBe(false);
    expect((await send(gw.port, { path: '/later' })).status).toBe(404);
    control.failing = false;
    expect(await within(gw.port, '/later', (status) => status === 200)).toBeLessThan(1_000);
    expect(gw.sync.firstSyncDone).toBe(true);
  });

  it('syncs at once on the store push signal', async () => {
    const up = await upstream();
    const real = await store();
    const { store: s, control } = faultyStore(real);
    const gw = await gateway({ store: s, syncIntervalMs: 60_000 });
    await publish(real, 'pushed', snapshot({ paths: [{ path: '/pushed' }], targets: [up.url] }));
    expect((await send(gw.port, { path: '/pushed' })).status).toBe(404);
    control.fire?.();
    expect(await within(gw.port, '/pushed', (status) => status === 200, 300)).toBeLessThan(300);
  });
});

describe('GatewaySync event window', () => {
  it('stops re-reading a burst of events once the overlap window has passed them', async () => {
    const up = await upstream();
    const s = await store();
    const registry = new ApiRegistry();
    const sync = new GatewaySync({ store: s, registry, syncIntervalMs: 50, overlapMs: 300 });
    cleanups.push(async () => {
      await sync.stop();
      await registry.close(1_000);
    });
    await sync.start();
    for (let i = 0; i < 20; i++)
      await publish(s, `burst-${i}`, snapshot({ paths: [{ path: `/burst-${i}` }], targets: [up.url] }));
    await expect.poll(() => registry.size, { timeout: 2_000 }).toBe(20);
    // Past the overlap window, a quiet store gives empty reads: the burst is not read again at every poll.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const read = sync.counts.eventsRead;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sync.counts.syncs).toBeGreaterThan(10);
    expect(sync.counts.eventsRead).toBe(read);
    // A late event inside the window is still caught.
    await publish(s, 'late', snapshot({ paths: [{ path: '/late' }], targets: [up.url] }), {
      eventCreatedAt: new Date(Date.now() - 150).toISOString(),
    });
    await expect.poll(() => registry.get('late') !== undefined, { timeout: 1_000 }).toBe(true);
  });
});
