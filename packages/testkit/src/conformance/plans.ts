import type { Plan } from '@apim/core';
import { describe, expect, it } from 'vitest';
import { describeCrud } from './crud.js';
import { aPlan, at, type ConformanceContext, ids, uid } from './records.js';

/** Plans: search combines criteria with AND and orders by `order`, then name, then id. */
export function describePlanConformance(ctx: ConformanceContext): void {
  describeCrud<Plan>(ctx, {
    entity: 'plans',
    repository: (store) => store.plans,
    full: () => aPlan(),
    minimal: () => ({
      id: uid('plan'),
      apiId: uid('api'),
      environmentId: uid('env'),
      name: 'Minimal',
      securityType: 'KEY_LESS',
      definition: {},
      status: 'STAGING',
      validation: 'AUTO',
      commentRequired: false,
      order: 0,
      createdAt: at(0),
      updatedAt: at(0),
    }),
    changed: (plan) => ({
      ...plan,
      crossId: null,
      name: 'Renamed',
      description: null,
      securityType: 'JWT',
      definition: { security: { type: 'JWT' } },
      status: 'CLOSED',
      validation: 'AUTO',
      commentRequired: false,
      order: 7,
      closedAt: at(30),
      createdAt: at(10),
      updatedAt: at(11),
    }),
    deletable: true,
  });

  describe('plans: search', () => {
    it('filters by api, environment, statuses and security types, ordered by order, name, id', async () => {
      const apiId = uid('api');
      const environmentId = uid('env');
      const [x, y] = [uid('plan'), uid('plan')].sort();
      const keyless = aPlan({
        apiId,
        environmentId,
        name: 'b',
        order: 1,
        securityType: 'KEY_LESS',
        status: 'PUBLISHED',
      });
      const jwt = aPlan({ id: y!, apiId, environmentId, name: 'a', order: 2, securityType: 'JWT', status: 'STAGING' });
      const key = aPlan({
        id: x!,
        apiId,
        environmentId,
        name: 'a',
        order: 2,
        securityType: 'API_KEY',
        status: 'CLOSED',
      });
      const first = aPlan({ apiId, environmentId, name: 'z', order: 0, securityType: 'API_KEY', status: 'PUBLISHED' });
      const elsewhere = aPlan({ environmentId, order: 0 });
      for (const plan of [keyless, jwt, key, first, elsewhere]) await ctx.store.plans.create(plan);

      expect(ids(await ctx.store.plans.search({ apiId }))).toEqual([first.id, keyless.id, key.id, jwt.id]);
      expect(ids(await ctx.store.plans.search({ environmentId }))).toHaveLength(5);
      expect(ids(await ctx.store.plans.search({ apiId, statuses: ['PUBLISHED', 'STAGING'] }))).toEqual([
        first.id,
        keyless.id,
        jwt.id,
      ]);
      expect(ids(await ctx.store.plans.search({ apiId, securityTypes: ['API_KEY'] }))).toEqual([first.id, key.id]);
      expect(
        ids(
          await ctx.store.plans.search({ apiId, environmentId, statuses: ['PUBLISHED'], securityTypes: ['API_KEY'] }),
        ),
      ).toEqual([first.id]);
      expect(await ctx.store.plans.search({ apiId, statuses: [] })).toEqual([]);
      expect(await ctx.store.plans.search({ apiId: uid('api') })).toEqual([]);
    });

    it('keeps booleans and numbers as they are', async () => {
      const yes = aPlan({ commentRequired: true, order: 0 });
      const no = aPlan({ commentRequired: false, order: 123456 });
      await ctx.store.plans.create(yes);
      await ctx.store.plans.create(no);
      expect(await ctx.store.plans.findById(yes.id)).toMatchObject({ commentRequired: true, order: 0 });
      expect(await ctx.store.plans.findById(no.id)).toMatchObject({ commentRequired: false, order: 123456 });
    });
  });

  describe('plans: deleteByApi', () => {
    it('deletes the plans of one API only', async () => {
      const apiId = uid('api');
      const mine = [aPlan({ apiId }), aPlan({ apiId })];
      const other = aPlan();
      for (const plan of [...mine, other]) await ctx.store.plans.create(plan);
      await ctx.store.plans.deleteByApi(apiId);
      expect(await ctx.store.plans.search({ apiId })).toEqual([]);
      expect(await ctx.store.plans.findById(other.id)).toBeDefined();
      await expect(ctx.store.plans.deleteByApi(apiId)).resolves.toBeUndefined();
    });
  });
}
