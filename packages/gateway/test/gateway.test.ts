import { type EchoUpstream, startEchoUpstream } from '@apim/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway } from '../src/index.js';
import { send, snapshot } from './helpers.js';
import { memoryStore, publish } from './store-helpers.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function setup(drainTimeoutMs?: number) {
  const up: EchoUpstream = await startEchoUpstream();
  cleanups.push(() => up.close());
  const store = await memoryStore();
  cleanups.push(() => store.close());
  await publish(store, 'api', snapshot({ paths: [{ path: '/api' }], targets: [up.url] }));
  const gw = await startGateway({ store, port: 0, host: '127.0.0.1', drainTimeoutMs });
  return { up, gw };
}

describe('startGateway', () => {
  it('serves the deployed APIs as soon as it resolves', async () => {
    const { gw } = await setup();
    cleanups.push(() => gw.close());
    expect(gw.port).toBeGreaterThan(0);
    expect(gw.sync.firstSyncDone).toBe(true);
    expect((await send(gw.port, { path: '/api' })).status).toBe(200);
  });

  it('close() stops accepting, lets in-flight requests finish, then closes the pools', async () => {
    const { gw } = await setup();
    const inFlight = send(gw.port, { path: '/api/slow', headers: { 'x-echo-delay-ms': '300' } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const pool = gw.registry.get('api')!.endpointGroup!.endpoints[0]!.pool;
    const closing = gw.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(send(gw.port, { path: '/api' })).rejects.toThrow(/ECONNREFUSED/);
    expect((await inFlight).status).toBe(200);
    await closing;
    expect(pool.closed).toBe(true);
    expect(gw.server.listening).toBe(false);
  });

  it('close() cuts what is still running at the drain deadline', async () => {
    const { gw } = await setup(200);
    const inFlight = send(gw.port, { path: '/api/stuck', headers: { 'x-echo-delay-ms': '5000' } }).then(
      (res) => res.status,
      (error: Error) => error.message,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await gw.close();
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(await inFlight).toMatch(/socket hang up|ECONNRESET/);
  });
});
