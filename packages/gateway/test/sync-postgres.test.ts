/**
 * The sync against a real PostgreSQL server (APIM_TEST_POSTGRES_URL): a database that does not exist yet at start,
 * and a database that becomes unreachable after a good start (its connections go through a TCP relay the test cuts).
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import type { ConfigStore } from '@apim/core';
import { nowIso } from '@apim/core';
import { createConfigStore } from '@apim/repository-sql';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startGateway } from '../src/index.js';
import { send } from './helpers.js';
import { publish, removeApi } from './store-helpers.js';
import { cleanups, runCleanups, startSync, taggedSnapshot, tempDir, until } from './sync-helpers.js';

const SERVER_URL = process.env.APIM_TEST_POSTGRES_URL;

afterEach(runCleanups);

/** Scratch databases `apim_sync_<random>`: `url()` names one without creating it; all are dropped at the end. */
const scratch = {
  names: [] as string[],
  url(name: string): string {
    const url = new URL(SERVER_URL!);
    url.pathname = `/${name}`;
    return url.toString();
  },
  name(): string {
    const name = `apim_sync_${randomBytes(5).toString('hex')}`;
    this.names.push(name);
    return name;
  },
  async admin(statement: string): Promise<void> {
    const client = new pg.Client({ connectionString: SERVER_URL, connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  },
  /** Creates the database, migrates it, and seeds the DEFAULT organization and environment. */
  async create(name: string): Promise<ConfigStore> {
    await this.admin(`CREATE DATABASE "${name}"`);
    const store = await createConfigStore({ url: this.url(name) });
    cleanups.push(() => store.close());
    const now = nowIso();
    await store.organizations.create({ id: 'DEFAULT', name: 'Default', createdAt: now, updatedAt: now });
    await store.environments.create({
      id: 'DEFAULT',
      organizationId: 'DEFAULT',
      name: 'Default',
      hrids: ['default'],
      createdAt: now,
      updatedAt: now,
    });
    return store;
  },
};

/** A TCP relay to the PostgreSQL server that the test can cut (refusing and dropping connections) and restore. */
async function relay(target: URL): Promise<{ port: number; cut(): Promise<void>; restore(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = async () => {
    server = createServer((client) => {
      const upstream = tcpConnect(Number(target.port || 5432), target.hostname);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as { port: number }).port;
  };
  await listen();
  const cut = async () => {
    const closed = new Promise((resolve) => server?.close(resolve));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  cleanups.push(cut);
  return { port, cut, restore: listen };
}

describe.skipIf(!SERVER_URL)('GatewaySync on PostgreSQL (APIM_TEST_POSTGRES_URL)', () => {
  afterAll(async () => {
    for (const name of scratch.names) await scratch.admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });

  it('starts from its local copy while the database does not exist yet, then catches up once it does', async () => {
    const path = join(await tempDir(), 'gateway-state.json');
    const before = await scratch.create(scratch.name());
    await publish(before, 'kept', taggedSnapshot('kept'));
    await publish(before, 'gone', taggedSnapshot('gone'));
    const first = await startGateway({ store: before, port: 0, host: '127.0.0.1', localStatePath: path });
    await first.close();

    const name = scratch.name();
    const down = await createConfigStore({ url: scratch.url(name), migrate: false, connectTimeoutMs: 1_000 });
    cleanups.push(() => down.close());
    const gw = await startGateway({
      store: down,
      port: 0,
      host: '127.0.0.1',
      localStatePath: path,
      syncIntervalMs: 100,
      maxRetryDelayMs: 300,
    });
    cleanups.push(() => gw.close());
    expect(gw.sync.servingFromLocalCopy).toBe(true);
    expect(gw.registry.ids().sort()).toEqual(['gone', 'kept']);
    // 502: the endpoint is a closed port; what matters is that the API is routed (not 404).
    expect((await send(gw.port, { path: '/kept' })).status).not.toBe(404);

    const after = await scratch.create(name);
    await publish(after, 'kept', taggedSnapshot('kept'));
    await publish(after, 'added', taggedSnapshot('added'));
    await until(() => gw.sync.firstSyncDone, 10_000, 'full resync');
    expect(gw.sync.servingFromLocalCopy).toBe(false);
    expect(gw.registry.ids().sort()).toEqual(['added', 'kept']);
    expect((await send(gw.port, { path: '/gone' })).status).toBe(404);
    await publish(after, 'later', taggedSnapshot('later'));
    await until(() => gw.registry.get('later') !== undefined, 5_000, 'incremental sync');
  });

  it('keeps serving while the database is unreachable after a good start, and catches up', async () => {
    const name = scratch.name();
    const writer = await scratch.create(name);
    const tcp = await relay(new URL(SERVER_URL!));
    const viaRelay = new URL(scratch.url(name));
    viaRelay.hostname = '127.0.0.1';
    viaRelay.port = String(tcp.port);
    const store = await createConfigStore({ url: viaRelay.toString(), migrate: false, connectTimeoutMs: 1_000 });
    cleanups.push(() => store.close());
    await publish(writer, 'old', taggedSnapshot('old'));
    const { sync, registry } = await startSync({ store, syncIntervalMs: 100, maxRetryDelayMs: 300 });
    expect(registry.ids()).toEqual(['old']);

    await tcp.cut();
    await publish(writer, 'new', taggedSnapshot('new'));
    await removeApi(writer, 'old');
    const failures = sync.counts.failures;
    await until(() => sync.counts.failures >= failures + 2, 10_000, 'failures while cut');
    expect(registry.ids()).toEqual(['old']);

    await tcp.restore();
    await until(() => registry.get('new') !== undefined && registry.get('old') === undefined, 10_000, 'catch-up');
  });
});
