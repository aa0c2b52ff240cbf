import type { Application } from '@apim/core';
import { describe, expect, it } from 'vitest';
import { describeCrud } from './crud.js';
import { anApplication, at, type ConformanceContext, expectCode, ids, uid } from './records.js';

/** Applications: search combines criteria with AND and orders by name, then id. */
export function describeApplicationConformance(ctx: ConformanceContext): void {
  describeCrud<Application>(ctx, {
    entity: 'applications',
    repository: (store) => store.applications,
    full: () => anApplication(),
    minimal: () => ({
      id: uid('app'),
      environmentId: uid('env'),
      name: 'Minimal',
      type: 'SIMPLE',
      status: 'ACTIVE',
      settings: {},
      createdAt: at(0),
      updatedAt: at(0),
    }),
    changed: (app) => ({
      ...app,
      name: 'Renamed',
      description: null,
      type: 'WEB',
      clientId: null,
      status: 'ARCHIVED',
      picture: null,
      settings: { app: { type: 'web' } },
      createdAt: at(10),
      updatedAt: at(11),
    }),
    deletable: true,
  });

  describe('applications: search', () => {
    it('filters by environment, ids, client id, status and query', async () => {
      const environmentId = uid('env');
      const tag = uid('q').slice(0, 10);
      const a = anApplication({ environmentId, name: `alpha ${tag}` });
      const b = anApplication({ environmentId, name: 'bravo', description: `About ${tag.toUpperCase()}` });
      const c = anApplication({ environmentId, name: 'charlie', status: 'ARCHIVED' });
      const elsewhere = anApplication({ name: 'alpha' });
      for (const app of [c, b, a, elsewhere]) await ctx.store.applications.create(app);
      const search = async (criteria: Parameters<typeof ctx.store.applications.search>[0]) =>
        ids((await ctx.store.applications.search(criteria)).data);

      expect(await search({ environmentId })).toEqual([a.id, b.id, c.id]);
      expect(await search({ ids: [c.id, elsewhere.id] })).toEqual([elsewhere.id, c.id]);
      expect(await search({ ids: [] })).toEqual([]);
      expect(await search({ clientId: b.clientId! })).toEqual([b.id]);
      expect(await search({ environmentId, status: 'ARCHIVED' })).toEqual([c.id]);
      expect(await search({ environmentId, query: tag.toUpperCase() })).toEqual([a.id, b.id]);
      expect(await search({ environmentId, query: tag, status: 'ACTIVE', ids: [b.id, c.id] })).toEqual([b.id]);
    });

    it('keeps the client id of ACTIVE applications unique per environment (STORAGE_CONFLICT)', async () => {
      const environmentId = uid('env');
      const clientId = uid('client');
      const first = anApplication({ environmentId, clientId });
      await ctx.store.applications.create(first);
      await expectCode(ctx.store.applications.create(anApplication({ environmentId, clientId })), 'STORAGE_CONFLICT');
      await ctx.store.applications.create(anApplication({ clientId }));
      const archived = anApplication({ environmentId, clientId, status: 'ARCHIVED' });
      await ctx.store.applications.create(archived);
      await expectCode(ctx.store.applications.update({ ...archived, status: 'ACTIVE' }), 'STORAGE_CONFLICT');
      const other = anApplication({ environmentId });
      await ctx.store.applications.create(other);
      await expectCode(ctx.store.applications.update({ ...other, clientId }), 'STORAGE_CONFLICT');
      await ctx.store.applications.create(anApplication({ environmentId, clientId: null }));
      await ctx.store.applications.create(anApplication({ environmentId, clientId: null }));
      await ctx.store.applications.update({ ...first, status: 'ARCHIVED' });
      await ctx.store.applications.update({ ...archived, status: 'ACTIVE' });
      expect((await ctx.store.applications.search({ environmentId, clientId, status: 'ACTIVE' })).data).toHaveLength(1);
    });

    it('pages with a total count', async () => {
      const environmentId = uid('env');
      const apps = ['d', 'a', 'c', 'b'].map((name) => anApplication({ environmentId, name }));
      for (const app of apps) await ctx.store.applications.create(app);
      const page = await ctx.store.applications.search({ environmentId }, { page: 2, perPage: 3 });
      expect(page).toMatchObject({ page: 2, perPage: 3, totalCount: 4 });
      expect(ids(page.data)).toEqual([apps[0]!.id]);
    });
  });
}
