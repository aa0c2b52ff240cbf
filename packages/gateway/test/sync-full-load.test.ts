/**
 * What a full load costs and leaves behind: batched deployment reads, no re-reading of the events it covered, one
 * summary log line, and no connection pool before an API is called.
 */
import type { JsonObject } from '@apim/core';
import { afterEach, describe, expect, it } from 'vitest';
import { faultyStore, memoryStore, publish, publishMany } from './store-helpers.js';
import { capturingLogger, cleanups, runCleanups, startSync, taggedSnapshot, until } from './sync-helpers.js';

afterEach(runCleanups);

const COUNT = 300;

async function seeded() {
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
  return store;
}

describe('full load', () => {
  it('reads the latest deployments in batches, not one store call per API', async () => {
    const { store, control } = faultyStore(await seeded());
    const { registry } = await startSync({ store, syncIntervalMs: 60_000 });
    expect(registry.size).toBe(COUNT);
    // The environments, the newest event and its window, one page of APIs, three batches of deployments.
    expect(control.calls).toBeLessThan(15);
  });

  it('does not reprocess the events it covered in the first incremental cycle, and still handles new ones', async () => {
    const { store, control } = faultyStore(await seeded());
    const { sync, registry } = await startSync({ store, syncIntervalMs: 60_000 });
    expect(sync.counts).toMatchObject({ deploys: COUNT, events: 0 });

    const before = control.calls;
    await sync.syncNow(); // its window overlaps the COUNT PUBLISH_API events the load covered
    expect(sync.counts).toMatchObject({ deploys: COUNT, events: 0 });
    expect(control.calls - before).toBeLessThan(5); // the event search only: no API re-read

    await publish(store, 'late', taggedSnapshot('late'));
    const calls = control.calls;
    await sync.syncNow();
    expect(sync.counts).toMatchObject({ deploys: COUNT + 1, events: 1 });
    expect(registry.match(undefined, '/late')?.value.id).toBe('late');
    expect(control.calls - calls).toBeLessThan(8);
  });

  it('still handles an event committed after the load with a date inside the window it covered', async () => {
    const store = await seeded();
    const { sync, registry } = await startSync({ store, syncIntervalMs: 60_000 });
    const covered = new Date(Date.now() - 1_000).toISOString();
    await publish(store, 'late', taggedSnapshot('late'), { eventCreatedAt: covered });
    await sync.syncNow();
    expect(registry.match(undefined, '/late')?.value.id).toBe('late');
  });

  it('logs one summary line at info, the per-API lines at debug; later deploys at info', async () => {
    const store = await seeded();
    const { logger, lines } = capturingLogger();
    const { sync } = await startSync({ store, logger, syncIntervalMs: 60_000 });
    const deployed = lines.filter((line) => line.msg === 'API deployed');
    expect(deployed).toHaveLength(COUNT);
    expect(deployed.every((line) => line.level === 20)).toBe(true);
    expect(lines.find((line) => line.msg === 'full sync done')).toMatchObject({
      level: 30,
      apis: COUNT,
      deployed: COUNT,
      undeployed: 0,
      rejected: 0,
    });
    await publish(store, 'later', taggedSnapshot('later'));
    await sync.syncNow();
    expect(lines.filter((line) => line.msg === 'API deployed').at(-1)).toMatchObject({ level: 30, api: 'later' });
  });

  it('creates no connection pool until an API is called', async () => {
    const store = await seeded();
    const { registry } = await startSync({ store, syncIntervalMs: 60_000 });
    await until(() => registry.size === COUNT);
    const endpoints = registry.ids().flatMap((id) => registry.get(id)!.endpointGroup!.endpoints);
    expect(endpoints.length).toBeGreaterThanOrEqual(COUNT);
    expect(endpoints.some((endpoint) => endpoint.poolCreated)).toBe(false);
  });
});
