import type { Api } from '@apim/core';
import { describe, expect, it } from 'vitest';
import { describeCrud } from './crud.js';
import { aLargeDocument, anApi, at, type ConformanceContext, ids, normalise, UNICODE, uid } from './records.js';

/** APIs: search combines criteria with AND, an empty id list matches nothing, order is name then id. */
export function describeApiConformance(ctx: ConformanceContext): void {
  describeCrud<Api>(ctx, {
    entity: 'apis',
    repository: (store) => store.apis,
    full: () => anApi(),
    minimal: () => ({
      id: uid('api'),
      environmentId: uid('env'),
      name: 'Minimal',
      apiVersion: '1',
      type: 'MESSAGE',
      definitionVersion: 'V4',
      definition: {},
      state: 'STOPPED',
      lifecycleState: 'CREATED',
      visibility: 'PRIVATE',
      labels: [],
      categories: [],
      groups: [],
      createdAt: at(0),
      updatedAt: at(0),
    }),
    changed: (api) => ({
      ...anApi({ id: api.id, deployedAt: null, picture: null, crossId: null }),
      name: 'Renamed',
      state: 'STOPPED',
      lifecycleState: 'DEPRECATED',
      visibility: 'PRIVATE',
      labels: [],
      createdAt: at(10),
      updatedAt: at(11),
    }),
    deletable: true,
  });

  describe('apis: documents', () => {
    it('keeps a 1 MB definition intact', async () => {
      const api = anApi({ definition: aLargeDocument() });
      await ctx.store.apis.create(api);
      const found = await ctx.store.apis.findById(api.id);
      expect(found?.definition).toEqual(api.definition);
      const updated = { ...api, definition: aLargeDocument(1024 * 1024 + 7) };
      await ctx.store.apis.update(updated);
      expect((await ctx.store.apis.findById(api.id))?.definition).toEqual(updated.definition);
    });

    it('keeps unicode names, labels and definitions intact', async () => {
      const api = anApi({ name: UNICODE, labels: [UNICODE], definition: { [UNICODE]: UNICODE } });
      await ctx.store.apis.create(api);
      expect(normalise(await ctx.store.apis.findById(api.id))).toEqual(normalise(api));
    });
  });

  describe('apis: search', () => {
    it('filters by each criterion and by all of them together', async () => {
      const environmentId = uid('env');
      const otherEnv = uid('env');
      const tag = uid('q').slice(0, 10);
      const a = anApi({ environmentId, name: `Alpha ${tag.toUpperCase()}`, state: 'STARTED' });
      const b = anApi({ environmentId, name: 'Bravo', description: `about ${tag}`, state: 'STOPPED' });
      const c = anApi({ environmentId: otherEnv, name: 'Charlie', state: 'STARTED' });
      for (const api of [a, b, c]) await ctx.store.apis.create(api);
      const search = async (criteria: Parameters<typeof ctx.store.apis.search>[0]) =>
        ids((await ctx.store.apis.search(criteria)).data);

      expect(await search({ environmentId })).toEqual([a.id, b.id]);
      expect(await search({ environmentIds: [environmentId, otherEnv] })).toEqual([a.id, b.id, c.id]);
      expect(await search({ environmentIds: [] })).toEqual([]);
      expect(await search({ ids: [c.id, a.id] })).toEqual([a.id, c.id]);
      expect(await search({ ids: [] })).toEqual([]);
      expect(await search({ environmentIds: [environmentId, otherEnv], state: 'STARTED' })).toEqual([a.id, c.id]);
      expect(await search({ crossId: b.crossId! })).toEqual([b.id]);
      expect(await search({ environmentId, query: tag })).toEqual([a.id, b.id]);
      expect(await search({ environmentId, query: tag.toUpperCase(), state: 'STOPPED' })).toEqual([b.id]);
      expect(await search({ environmentId: otherEnv, ids: [a.id, b.id] })).toEqual([]);
      expect(await search({ environmentId, ids: [a.id, b.id, c.id], state: 'STARTED', query: 'alpha' })).toEqual([
        a.id,
      ]);
    });

    it('pages by name, then id, with a total count', async () => {
      const environmentId = uid('env');
      const [x, y] = [uid('api'), uid('api')].sort();
      const apis = [
        anApi({ environmentId, name: 'echo' }),
        anApi({ environmentId, name: 'charlie' }),
        anApi({ id: y!, environmentId, name: 'alpha' }),
        anApi({ environmentId, name: 'delta' }),
        anApi({ id: x!, environmentId, name: 'alpha' }),
      ];
      for (const api of apis) await ctx.store.apis.create(api);
      const order = [x, y, apis[1]!.id, apis[3]!.id, apis[0]!.id];
      const pages = [];
      for (const page of [1, 2, 3, 4]) {
        const result = await ctx.store.apis.search({ environmentId }, { page, perPage: 2 });
        expect(result).toMatchObject({ page, perPage: 2, totalCount: 5 });
        pages.push(ids(result.data));
      }
      expect(pages).toEqual([order.slice(0, 2), order.slice(2, 4), order.slice(4), []]);
    });

    it('defaults to page 1 of 20 and caps pages at 1000', async () => {
      const environmentId = uid('env');
      await ctx.store.apis.create(anApi({ environmentId }));
      expect(await ctx.store.apis.search({ environmentId })).toMatchObject({ page: 1, perPage: 20, totalCount: 1 });
      const capped = await ctx.store.apis.search({ environmentId }, { perPage: 5000 });
      expect(capped.perPage).toBe(1000);
      expect(capped.data).toHaveLength(1);
    });
  });
}
