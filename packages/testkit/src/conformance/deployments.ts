import type { Deployment } from '@apim/core';
import { describe, expect, it } from 'vitest';
import { describeCrud } from './crud.js';
import { aDeployment, aLargeDocument, at, type ConformanceContext, expectCode, ids, uid } from './records.js';

/** Deployments: immutable; unique (apiId, revision); `findByApi` newest revision first. */
export function describeDeploymentConformance(ctx: ConformanceContext): void {
  describeCrud<Deployment>(ctx, {
    entity: 'deployments',
    repository: (store) => store.deployments,
    full: () => aDeployment(),
    minimal: () => ({
      id: uid('dep'),
      apiId: uid('api'),
      environmentId: uid('env'),
      revision: 1,
      definition: {},
      createdAt: at(0),
    }),
    deletable: false,
  });

  describe('deployments: revisions', () => {
    it('rejects a second deployment of the same revision of an API (STORAGE_CONFLICT)', async () => {
      const first = aDeployment({ revision: 1 });
      await ctx.store.deployments.create(first);
      await expectCode(
        ctx.store.deployments.create(aDeployment({ apiId: first.apiId, revision: 1 })),
        'STORAGE_CONFLICT',
      );
      await ctx.store.deployments.create(aDeployment({ revision: 1 }));
    });

    it('finds the latest revision, and lists revisions newest first, page by page', async () => {
      const apiId = uid('api');
      const deployments = [3, 1, 10, 2].map((revision) =>
        aDeployment({ apiId, revision, createdAt: at(revision), definition: { revision } }),
      );
      for (const deployment of deployments) await ctx.store.deployments.create(deployment);
      expect((await ctx.store.deployments.findLatest(apiId))?.revision).toBe(10);
      expect(await ctx.store.deployments.findLatest(uid('api'))).toBeUndefined();
      const all = await ctx.store.deployments.findByApi(apiId);
      expect(all.data.map((d) => d.revision)).toEqual([10, 3, 2, 1]);
      expect(all).toMatchObject({ page: 1, perPage: 20, totalCount: 4 });
      const second = await ctx.store.deployments.findByApi(apiId, { page: 2, perPage: 3 });
      expect(second).toMatchObject({ page: 2, perPage: 3, totalCount: 4 });
      expect(second.data.map((d) => d.definition)).toEqual([{ revision: 1 }]);
    });

    it('finds the latest revision of many APIs at once (findLatestByApis)', async () => {
      const apis = [uid('api'), uid('api'), uid('api')];
      const [first, second, none] = apis as [string, string, string];
      for (const revision of [2, 1, 3]) {
        await ctx.store.deployments.create(aDeployment({ apiId: first, revision, definition: { revision } }));
      }
      await ctx.store.deployments.create(aDeployment({ apiId: second, revision: 1, definition: { revision: 1 } }));
      await ctx.store.deployments.create(aDeployment({ revision: 9 })); // another API, not asked for
      const latest = await ctx.store.deployments.findLatestByApis([first, none, second, first]);
      const byApi = Object.fromEntries(latest.map((d) => [d.apiId, d]));
      expect(latest).toHaveLength(2);
      expect(byApi[first]).toMatchObject({ revision: 3, definition: { revision: 3 } });
      expect(byApi[second]).toMatchObject({ revision: 1, definition: { revision: 1 } });
      expect(byApi[first]).toEqual(await ctx.store.deployments.findLatest(first));
      expect(await ctx.store.deployments.findLatestByApis([])).toEqual([]);
    });

    it('reads the latest deployments of more APIs than one query takes', async () => {
      const apiIds = Array.from({ length: 1_201 }, () => uid('api'));
      await ctx.store.transaction(async (repos) => {
        for (const [i, apiId] of apiIds.entries()) {
          await repos.deployments.create(aDeployment({ apiId, revision: 1 + (i % 3) }));
        }
      });
      const latest = await ctx.store.deployments.findLatestByApis(apiIds);
      expect(latest).toHaveLength(apiIds.length);
      expect(new Set(latest.map((d) => d.apiId))).toEqual(new Set(apiIds));
    });

    it('keeps a 1 MB snapshot intact', async () => {
      const deployment = aDeployment({ definition: { api: aLargeDocument(), plans: [] } });
      await ctx.store.deployments.create(deployment);
      expect((await ctx.store.deployments.findById(deployment.id))?.definition).toEqual(deployment.definition);
    });

    it('deletes the deployments of one API only', async () => {
      const apiId = uid('api');
      const mine = [aDeployment({ apiId, revision: 1 }), aDeployment({ apiId, revision: 2 })];
      const other = aDeployment();
      for (const deployment of [...mine, other]) await ctx.store.deployments.create(deployment);
      await ctx.store.deployments.deleteByApi(apiId);
      expect(await ctx.store.deployments.findLatest(apiId)).toBeUndefined();
      expect(ids((await ctx.store.deployments.findByApi(apiId)).data)).toEqual([]);
      expect(await ctx.store.deployments.findById(other.id)).toBeDefined();
    });
  });
}
