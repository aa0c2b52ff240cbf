import { join } from 'node:path';
import type { JsonObject } from '@apim/core';
import { afterEach, describe, expect, it } from 'vitest';
import { readLocalState } from '../src/index.js';
import { faultyStore, memoryStore, publishMany } from './store-helpers.js';
import { cleanups, runCleanups, startSync, taggedSnapshot, tempDir } from './sync-helpers.js';

afterEach(runCleanups);

const COUNT = 2_000;

describe('full sync at scale', () => {
  it(`deploys ${COUNT} APIs from SQLite, writes them to the local copy, and serves them all from it`, async () => {
    const store = await memoryStore();
    cleanups.push(() => store.close());
    const template = taggedSnapshot('template');
    await publishMany(
      store,
      Array.from({ length: COUNT }, (_, i) => {
        const snapshot = structuredClone(template) as { api: JsonObject & { listeners: { paths: unknown[] }[] } };
        snapshot.api.name = `API ${i}`;
        snapshot.api.listeners[0]!.paths = [{ path: `/api-${i}` }];
        return { id: `api-${i}`, snapshot };
      }),
    );
    const path = join(await tempDir(), 'gateway-state.json');
    const { store: counted, control } = faultyStore(store);

    const { sync, registry } = await startSync({ store: counted, localStatePath: path });
    expect(sync.firstSyncDone).toBe(true);
    expect(registry.size).toBe(COUNT);
    expect(sync.counts).toMatchObject({ deploys: COUNT, rejected: 0 });
    for (let i = 0; i < COUNT; i++) expect(registry.match(undefined, `/api-${i}/x`)?.value.id).toBe(`api-${i}`);
    // Two pages of APIs and their latest deployments 100 per call: no per-API round trip.
    expect(control.calls).toBeLessThan(40);

    await sync.stop();
    const written = await readLocalState(path);
    expect(written?.state.apis).toHaveLength(COUNT);

    control.failing = true;
    const fromCopy = await startSync({ store: counted, localStatePath: path });
    expect(fromCopy.sync.servingFromLocalCopy).toBe(true);
    expect(fromCopy.registry.size).toBe(COUNT);
    expect(fromCopy.registry.match(undefined, '/api-1999')?.value.id).toBe('api-1999');
  });
});
