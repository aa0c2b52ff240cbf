import { createServer, type Server } from 'node:net';
import type { ConfigStore, Event } from '@apim/core';
import { createConfigStore } from '@apim/repository-sql';
import { afterAll, describe, expect, it } from 'vitest';
import { FreshDatabase } from './fresh-database.js';

const POSTGRES_URL = process.env.APIM_TEST_POSTGRES_URL;
const MYSQL_URL = process.env.APIM_TEST_MYSQL_URL;

function anEvent(): Event {
  const id = globalThis.crypto.randomUUID();
  return {
    id,
    type: 'PUBLISH_API',
    payload: { deploymentId: id },
    properties: { api_id: `api-${id}` },
    createdAt: new Date().toISOString(),
  };
}

/** A promise resolved by the next call of `signal`, and a counter of calls. */
function wakeUp() {
  let calls = 0;
  let resolve: () => void = () => undefined;
  let woken = new Promise<void>((r) => {
    resolve = r;
  });
  return {
    signal: () => {
      calls++;
      resolve();
    },
    next: () => woken,
    reset: () => {
      woken = new Promise<void>((r) => {
        resolve = r;
      });
    },
    calls: () => calls,
  };
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`not within ${ms} ms`)), ms)),
  ]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!POSTGRES_URL)('PostgreSQL change signal (APIM_TEST_POSTGRES_URL)', () => {
  const database = new FreshDatabase('postgres', POSTGRES_URL ?? '');
  const stores: ConfigStore[] = [];
  const open = async () => {
    const store = await createConfigStore({ url: await database.url() });
    stores.push(store);
    return store;
  };
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await database.drop();
  });

  it('wakes a listener on another store instance within 1 s of an event', async () => {
    const [writer, reader] = [await open(), await open()];
    const wake = wakeUp();
    const unsubscribe = await reader.onChange!(wake.signal);
    expect(unsubscribe).toBeTypeOf('function');
    const started = Date.now();
    await writer.events.create(anEvent());
    await within(wake.next(), 1000);
    expect(Date.now() - started).toBeLessThan(1000);
    await unsubscribe!();
  });

  it('signals committed transactions only, and stops after unsubscribe', async () => {
    const [writer, reader] = [await open(), await open()];
    const wake = wakeUp();
    const unsubscribe = await reader.onChange!(wake.signal);
    const failure = new Error('rollback');
    await expect(
      writer.transaction(async (repos) => {
        await repos.events.create(anEvent());
        throw failure;
      }),
    ).rejects.toBe(failure);
    await sleep(300);
    expect(wake.calls()).toBe(0);

    await writer.transaction(async (repos) => {
      await repos.events.create(anEvent());
    });
    await within(wake.next(), 1000);
    expect(wake.calls()).toBe(1);

    await unsubscribe!();
    await writer.events.create(anEvent());
    await sleep(300);
    expect(wake.calls()).toBe(1);
  });

  it('reconnects after the listening connection is killed, and signals the reconnection', async () => {
    const [writer, reader] = [await open(), await open()];
    const wake = wakeUp();
    const unsubscribe = await reader.onChange!(wake.signal);
    const killed = await terminateListeners(POSTGRES_URL!, database.name);
    expect(killed).toBeGreaterThan(0);
    await within(wake.next(), 3000); // the reconnection itself is a signal: changes may have been missed
    wake.reset();
    await writer.events.create(anEvent());
    await within(wake.next(), 1000);
    await unsubscribe!();
  });
});

/** Kills the backends that LISTEN in `database`, as a server restart or a network cut would. */
async function terminateListeners(serverUrl: string, database: string): Promise<number> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const result = await client.query(
      `select pg_terminate_backend(pid) from pg_stat_activity
       where datname = $1 and pid <> pg_backend_pid() and query ilike 'LISTEN%'`,
      [database],
    );
    return result.rowCount ?? 0;
  } finally {
    await client.end();
  }
}

describe('backends without a push signal', () => {
  it('returns undefined from onChange on SQLite', async () => {
    const store = await createConfigStore({ url: 'sqlite::memory:' });
    expect(await store.onChange?.(() => undefined)).toBeUndefined();
    await store.close();
  });

  it.skipIf(!MYSQL_URL)('returns undefined from onChange on MariaDB/MySQL', async () => {
    const store = await createConfigStore({ url: MYSQL_URL!, migrate: false });
    expect(await store.onChange?.(() => undefined)).toBeUndefined();
    await store.close();
  });
});

describe('unreachable database', () => {
  const unreachable = ['postgres://postgres@127.0.0.1:1/x', 'mysql://root@127.0.0.1:1/x'];

  it.each(unreachable)('rejects ping and queries on %s with STORAGE_UNAVAILABLE, quickly', async (url) => {
    const store = await createConfigStore({ url, migrate: false });
    const started = Date.now();
    await expect(store.ping()).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE', status: 503 });
    await expect(store.apis.findById('x')).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    await expect(store.transaction(async () => 1)).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(5000);
    await store.close();
  });

  it.each(unreachable)('rejects createConfigStore on %s with STORAGE_UNAVAILABLE', async (url) => {
    await expect(createConfigStore({ url })).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
  });

  describe('a server that accepts connections and never answers', () => {
    let server: Server;
    let port = 0;
    const sockets = new Set<import('node:net').Socket>();
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((r) => server?.close(r));
    });

    it.each(['postgres', 'mysql'])('times out on %s with STORAGE_UNAVAILABLE instead of hanging', async (scheme) => {
      if (!server) {
        server = createServer((socket) => sockets.add(socket));
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        port = (server.address() as { port: number }).port;
      }
      const store = await createConfigStore({
        url: `${scheme}://root@127.0.0.1:${port}/x`,
        migrate: false,
        connectTimeoutMs: 500,
      });
      const started = Date.now();
      await expect(store.ping()).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
      expect(Date.now() - started).toBeLessThan(3000);
      await store.close();
    });
  });
});
