import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConfigStore } from '@apim/core';
import { startEchoUpstream } from '@apim/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalState, readLocalState, startGateway, writeLocalState } from '../src/index.js';
import { send } from './helpers.js';
import { faultyStore, memoryStore, publish, removeApi, setState } from './store-helpers.js';
import { capturingLogger, cleanups, runCleanups, startSync, taggedSnapshot, tempDir, until } from './sync-helpers.js';

afterEach(runCleanups);

async function store(): Promise<ConfigStore> {
  const s = await memoryStore();
  cleanups.push(() => s.close());
  return s;
}

async function readState(path: string): Promise<LocalState> {
  return JSON.parse(await readFile(path, 'utf8')) as LocalState;
}

const ids = (state: LocalState) => state.apis.map((entry) => entry.api.id).sort();

describe('local state file', () => {
  it('is written after each sync that changed something, with mode 0600', async () => {
    const s = await store();
    const path = join(await tempDir(), 'state', 'gateway-state.json');
    await publish(s, 'a', taggedSnapshot('a'));
    await publish(s, 'stopped', taggedSnapshot('stopped'), { state: 'STOPPED' });
    const { sync } = await startSync({ store: s, localStatePath: path });
    await until(() => (sync.localState?.writes ?? 0) >= 1, 5_000, 'first write');

    const first = await readState(path);
    expect(first.version).toBe(1);
    expect(ids(first)).toEqual(['a']);
    expect(first.cursor).toEqual(expect.any(String));
    expect(first.apis[0]).toMatchObject({
      api: { id: 'a', environmentId: 'DEFAULT', organizationId: 'DEFAULT', name: expect.any(String) },
      deployment: { id: expect.any(String), revision: 1, definition: { api: { id: 'a' }, plans: expect.any(Array) } },
    });
    expect((await stat(path)).mode & 0o777).toBe(0o600);

    await publish(s, 'b', taggedSnapshot('b'));
    await until(async () => ids(await readState(path)).includes('b'), 5_000, 'b written');
    await setState(s, 'a', 'STOPPED');
    await until(async () => !ids(await readState(path)).includes('a'), 5_000, 'a removed');
    expect(sync.localState?.lastWriteAt).toBeInstanceOf(Date);

    // A cycle that changes nothing writes nothing.
    const writes = sync.localState!.writes;
    await sync.syncNow();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sync.localState!.writes).toBe(writes);
  });

  it('is replaced atomically: a reader sees the old or the new file, never a part of one', async () => {
    const dir = await tempDir();
    const path = join(dir, 'gateway-state.json');
    const entry = (i: number, revision: number) => ({
      api: { id: `api-${i}`, environmentId: 'DEFAULT', organizationId: 'DEFAULT', name: `API ${i}` },
      deployment: {
        id: `d-${i}-${revision}`,
        revision,
        createdAt: new Date().toISOString(),
        definition: taggedSnapshot(`p${i}`),
      },
    });
    const state = (revision: number): LocalState => ({
      version: 1,
      writtenAt: new Date().toISOString(),
      cursor: null,
      apis: Array.from({ length: 600 }, (_, i) => entry(i, revision)),
    });
    await writeLocalState(path, state(1));
    await chmod(path, 0o644);
    let writing = true;
    let reads = 0;
    const reader = (async () => {
      while (writing) {
        const loaded = await readLocalState(path);
        expect(loaded?.state.apis).toHaveLength(600);
        reads++;
      }
    })();
    for (let revision = 2; revision <= 5; revision++) await writeLocalState(path, state(revision));
    writing = false;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect((await readLocalState(path))?.state.apis[0]?.deployment.revision).toBe(5);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['gateway-state.json']); // no temp file left behind
  });
});

describe('starting while the store is down', () => {
  it('serves the local copy, then resyncs fully when the store answers (deploys and undeploys)', async () => {
    const a = await startEchoUpstream();
    const b = await startEchoUpstream();
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    const real = await store();
    const path = join(await tempDir(), 'gateway-state.json');
    await publish(real, 'kept', taggedSnapshot('kept', [], [[]], a.url));
    await publish(real, 'changed', taggedSnapshot('changed', [], [[]], a.url));
    await publish(real, 'gone', taggedSnapshot('gone', [], [[]], a.url));
    const first = await startGateway({ store: real, port: 0, host: '127.0.0.1', localStatePath: path });
    await first.close(); // close() writes the pending local copy
    expect(ids(await readState(path))).toEqual(['changed', 'gone', 'kept']);

    const { store: s, control } = faultyStore(real);
    control.failing = true;
    await publish(real, 'changed', taggedSnapshot('changed', [], [[]], b.url));
    await removeApi(real, 'gone');
    await publish(real, 'added', taggedSnapshot('added', [], [[]], b.url));
    const { logger, lines } = capturingLogger();
    const gw = await startGateway({
      store: s,
      port: 0,
      host: '127.0.0.1',
      localStatePath: path,
      localStateDebounceMs: 20,
      syncIntervalMs: 50,
      maxRetryDelayMs: 100,
      logger,
    });
    cleanups.push(() => gw.close());
    expect(gw.sync.servingFromLocalCopy).toBe(true);
    expect(gw.sync.firstSyncDone).toBe(false);
    expect(gw.sync.localCopyWrittenAt).toBeInstanceOf(Date);
    expect(lines.some((line) => line.msg.includes('serving the local copy'))).toBe(true);
    expect(gw.registry.ids().sort()).toEqual(['changed', 'gone', 'kept']);
    expect((await send(gw.port, { path: '/kept' })).status).toBe(200);
    expect((await send(gw.port, { path: '/gone' })).status).toBe(200);
    expect((await send(gw.port, { path: '/added' })).status).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(gw.sync.counts.failures).toBeGreaterThan(1); // still retrying
    expect(gw.sync.localState?.writes).toBe(0); // the copy being served is not rewritten

    control.failing = false;
    await until(() => gw.sync.firstSyncDone, 5_000, 'full resync');
    expect(gw.sync.servingFromLocalCopy).toBe(false);
    expect(gw.sync.localCopyWrittenAt).toBeUndefined();
    expect(gw.registry.ids().sort()).toEqual(['added', 'changed', 'kept']);
    expect(gw.registry.get('changed')?.revision).toBe(2);
    expect((await send(gw.port, { path: '/gone' })).status).toBe(404);
    expect((await send(gw.port, { path: '/added' })).status).toBe(200);
    await until(async () => ids(await readState(path)).join() === 'added,changed,kept', 5_000, 'copy rewritten');

    // Incremental sync resumes.
    await publish(real, 'later', taggedSnapshot('later', [], [[]], b.url));
    await until(() => gw.registry.get('later') !== undefined, 5_000, 'incremental sync');
  });

  it('bounds the wait for a store that does not answer', async () => {
    const real = await store();
    const path = join(await tempDir(), 'gateway-state.json');
    await publish(real, 'a', taggedSnapshot('a'));
    await startSync({ store: real, localStatePath: path }).then(({ sync }) => sync.stop());
    const { store: s, control } = faultyStore(real);
    control.hanging = true;
    const started = Date.now();
    const { sync, registry } = await startSync({ store: s, localStatePath: path, storeTimeoutMs: 200 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(sync.servingFromLocalCopy).toBe(true);
    expect(registry.ids()).toEqual(['a']);
    control.hanging = false;
    await until(() => sync.firstSyncDone, 3_000, 'full resync');
    expect(sync.servingFromLocalCopy).toBe(false);
  });

  it.each([
    ['a corrupt', 'not json {'],
    ['a truncated', '{"version":1,"writtenAt":"2024-01-01T00:00:00.000Z","cursor":null,"apis":[{"api":'],
    ['an unknown-format', '{"version":7,"apis":[]}'],
    ['a missing', undefined],
  ])('ignores %s local file: starts empty, then loads from the store', async (_, content) => {
    const real = await store();
    await publish(real, 'a', taggedSnapshot('a'));
    const path = join(await tempDir(), 'gateway-state.json');
    if (content !== undefined) await writeFile(path, content);
    const { store: s, control } = faultyStore(real);
    control.failing = true;
    const { logger, lines } = capturingLogger();
    const { sync, registry } = await startSync({ store: s, localStatePath: path, logger });
    expect(sync.servingFromLocalCopy).toBe(false);
    expect(registry.size).toBe(0);
    const expected = content === undefined ? 'no local state file' : 'local state file unreadable';
    expect(lines.some((line) => line.msg.startsWith(expected))).toBe(true);
    control.failing = false;
    await until(() => registry.get('a') !== undefined, 5_000, 'load from the store');
    const written = () => readLocalState(path).catch(() => undefined);
    await until(async () => (await written())?.state.apis.length === 1, 5_000, 'file replaced');
  });
});

describe('the store going away after a good start', () => {
  it('keeps serving, catches up when it is back, and updates the local copy', async () => {
    const real = await store();
    const path = join(await tempDir(), 'gateway-state.json');
    const { store: s, control } = faultyStore(real);
    await publish(real, 'old', taggedSnapshot('old'));
    const { sync, registry } = await startSync({ store: s, localStatePath: path });
    await until(() => (sync.localState?.writes ?? 0) >= 1, 5_000, 'first write');

    control.failing = true;
    await publish(real, 'new', taggedSnapshot('new'));
    await removeApi(real, 'old');
    await until(() => sync.counts.failures >= 2, 5_000, 'failures');
    expect(registry.ids()).toEqual(['old']);
    expect(sync.servingFromLocalCopy).toBe(false); // the in-memory state is served, not the file

    control.failing = false;
    await until(() => registry.get('new') !== undefined && registry.get('old') === undefined, 5_000, 'catch-up');
    await until(async () => ids(await readState(path)).join() === 'new', 5_000, 'copy updated');
  });
});
