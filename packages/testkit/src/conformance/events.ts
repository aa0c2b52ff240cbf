import type { Event, EventCriteria } from '@apim/core';
import { describe, expect, it } from 'vitest';
import { describeCrud } from './crud.js';
import { anEvent, at, type ConformanceContext, ids, uid } from './records.js';

/** Events: search oldest first (createdAt, then id); findLatestByApi keeps the greatest (createdAt, id) per API. */
export function describeEventConformance(ctx: ConformanceContext): void {
  describeCrud<Event>(ctx, {
    entity: 'events',
    repository: (store) => store.events,
    full: () => anEvent(),
    minimal: () => ({ id: uid('evt'), type: 'GATEWAY_STARTED', payload: {}, properties: {}, createdAt: at(0) }),
    deletable: false,
  });

  const apiEvent = (apiId: string, type: Event['type'], seconds: number, extra: Partial<Event> = {}) =>
    anEvent({ type, createdAt: at(seconds), properties: { api_id: apiId }, ...extra });

  describe('events: search', () => {
    it('filters by types, api ids, environments and a [from, to) window, oldest first', async () => {
      const [api1, api2] = [uid('api'), uid('api')];
      const environmentId = uid('env');
      const e1 = apiEvent(api1!, 'PUBLISH_API', 10, { environmentId });
      const e2 = apiEvent(api1!, 'STOP_API', 20, { environmentId });
      const e3 = apiEvent(api2!, 'START_API', 30);
      const e4 = apiEvent(api2!, 'PUBLISH_API', 40, { environmentId });
      for (const event of [e4, e2, e3, e1]) await ctx.store.events.create(event);
      const search = async (criteria: EventCriteria) => ids((await ctx.store.events.search(criteria)).data);

      expect(await search({ apiIds: [api1!, api2!] })).toEqual([e1.id, e2.id, e3.id, e4.id]);
      expect(await search({ apiIds: [api2!] })).toEqual([e3.id, e4.id]);
      expect(await search({ apiIds: [] })).toEqual([]);
      expect(await search({ environmentIds: [environmentId] })).toEqual([e1.id, e2.id, e4.id]);
      expect(await search({ apiIds: [api1!, api2!], types: ['PUBLISH_API'] })).toEqual([e1.id, e4.id]);
      expect(await search({ apiIds: [api1!, api2!], types: [] })).toEqual([]);
      expect(await search({ apiIds: [api1!, api2!], from: at(20), to: at(40) })).toEqual([e2.id, e3.id]);
      expect(
        await search({
          environmentIds: [environmentId],
          apiIds: [api2!],
          types: ['PUBLISH_API', 'START_API'],
          from: at(30),
        }),
      ).toEqual([e4.id]);
    });

    it('orders events of the same instant by id and pages them', async () => {
      const apiId = uid('api');
      const events = [0, 1, 2, 3, 4].map(() => apiEvent(apiId, 'PUBLISH_API', 5));
      for (const event of events) await ctx.store.events.create(event);
      const sorted = ids(events).sort();
      const first = await ctx.store.events.search({ apiIds: [apiId] }, { perPage: 3 });
      expect(first).toMatchObject({ page: 1, perPage: 3, totalCount: 5 });
      expect(ids(first.data)).toEqual(sorted.slice(0, 3));
      expect(ids((await ctx.store.events.search({ apiIds: [apiId] }, { page: 2, perPage: 3 })).data)).toEqual(
        sorted.slice(3),
      );
    });
  });

  describe('events: findLatestByApi', () => {
    it('returns, for each API, its newest event among the types', async () => {
      const [api1, api2, api3] = [uid('api'), uid('api'), uid('api')];
      const deploy = ['PUBLISH_API', 'START_API', 'STOP_API', 'UNPUBLISH_API'] as Event['type'][];
      const p1 = apiEvent(api1!, 'PUBLISH_API', 10);
      const s1 = apiEvent(api1!, 'STOP_API', 20);
      const k1 = apiEvent(api1!, 'API_KEY_CHANGED', 30);
      const p2 = apiEvent(api2!, 'PUBLISH_API', 15);
      const u3 = apiEvent(api3!, 'UNPUBLISH_API', 5);
      const unrelated = anEvent({ type: 'GATEWAY_STARTED', properties: {}, createdAt: at(50) });
      for (const event of [k1, u3, p2, s1, p1, unrelated]) await ctx.store.events.create(event);

      const latest = await ctx.store.events.findLatestByApi({ apiIds: [api1!, api2!, api3!], types: deploy });
      expect(ids(latest)).toEqual([u3.id, p2.id, s1.id]);
      expect(ids(await ctx.store.events.findLatestByApi({ apiIds: [api1!] }))).toEqual([k1.id]);
      expect(ids(await ctx.store.events.findLatestByApi({ apiIds: [api1!, api2!], types: ['PUBLISH_API'] }))).toEqual([
        p1.id,
        p2.id,
      ]);
      expect(
        ids(await ctx.store.events.findLatestByApi({ apiIds: [api1!, api2!], types: deploy, to: at(20) })),
      ).toEqual([p1.id, p2.id]);
      expect(ids(await ctx.store.events.findLatestByApi({ apiIds: [api1!, api3!], from: at(6) }))).toEqual([k1.id]);
      expect(await ctx.store.events.findLatestByApi({ apiIds: [] })).toEqual([]);
    });

    it('breaks ties between events of the same instant by the greatest id', async () => {
      const apiId = uid('api');
      const events = [0, 1, 2].map(() => apiEvent(apiId, 'PUBLISH_API', 7));
      for (const event of events) await ctx.store.events.create(event);
      expect(ids(await ctx.store.events.findLatestByApi({ apiIds: [apiId] }))).toEqual([ids(events).sort()[2]]);
    });

    it('filters by environment and leaves out events without an api_id', async () => {
      const environmentId = uid('env');
      const [api1, api2] = [uid('api'), uid('api')];
      const a = apiEvent(api1!, 'START_API', 1, { environmentId });
      const b = apiEvent(api2!, 'START_API', 2, { environmentId });
      const elsewhere = apiEvent(api2!, 'STOP_API', 3);
      const noApi = anEvent({ environmentId, properties: { other: 'x' }, createdAt: at(4) });
      for (const event of [a, b, elsewhere, noApi]) await ctx.store.events.create(event);
      expect(ids(await ctx.store.events.findLatestByApi({ environmentIds: [environmentId] }))).toEqual([a.id, b.id]);
    });
  });

  describe('events: deleteByApi', () => {
    it('deletes the events of one API only', async () => {
      const [apiId, otherApi] = [uid('api'), uid('api')];
      const mine = [apiEvent(apiId, 'PUBLISH_API', 1), apiEvent(apiId, 'STOP_API', 2)];
      const other = apiEvent(otherApi, 'PUBLISH_API', 1);
      for (const event of [...mine, other]) await ctx.store.events.create(event);
      await ctx.store.events.deleteByApi(apiId);
      expect((await ctx.store.events.search({ apiIds: [apiId] })).totalCount).toBe(0);
      expect(await ctx.store.events.findById(other.id)).toBeDefined();
    });
  });
}
