import { describe, expect, it } from 'vitest';
import {
  anApi,
  anApiKey,
  anEnvironment,
  anEvent,
  anOrganization,
  aPlan,
  type ConformanceContext,
  expectCode,
  ids,
  normalise,
  uid,
} from './records.js';

/** Transactions (commit, roll back, read-your-writes), `ping` and `kind`. */
export function describeTransactionConformance(ctx: ConformanceContext): void {
  describe('transactions', () => {
    it('commits every write and returns what the function returns', async () => {
      const org = anOrganization();
      const env = anEnvironment({ organizationId: org.id });
      const key = anApiKey({ environmentId: env.id });
      const result = await ctx.store.transaction(async (repos) => {
        await repos.organizations.create(org);
        await repos.environments.create(env);
        await repos.apiKeys.create(key);
        return 'done';
      });
      expect(result).toBe('done');
      expect(normalise(await ctx.store.organizations.findById(org.id))).toEqual(normalise(org));
      expect(normalise(await ctx.store.environments.findById(env.id))).toEqual(normalise(env));
      expect(ids(await ctx.store.apiKeys.search({ subscriptionId: key.subscriptionIds[0] }))).toEqual([key.id]);
    });

    it('reads its own writes before committing', async () => {
      const api = anApi();
      await ctx.store.transaction(async (repos) => {
        await repos.apis.create(api);
        expect((await repos.apis.findById(api.id))?.name).toBe(api.name);
        expect((await repos.apis.search({ environmentId: api.environmentId })).totalCount).toBe(1);
        await repos.apis.update({ ...api, name: 'inside' });
      });
      expect((await ctx.store.apis.findById(api.id))?.name).toBe('inside');
    });

    it('rolls every write back when the function throws, and rethrows its error', async () => {
      const api = anApi();
      const existing = anApi();
      await ctx.store.apis.create(existing);
      const plan = aPlan({ apiId: api.id });
      const key = anApiKey();
      const event = anEvent();
      const failure = new Error(`boom ${uid('e')}`);
      const attempt = ctx.store.transaction(async (repos) => {
        await repos.apis.create(api);
        await repos.plans.create(plan);
        await repos.apiKeys.create(key);
        await repos.events.create(event);
        await repos.apis.update({ ...existing, name: 'changed' });
        await repos.apis.delete(existing.id);
        throw failure;
      });
      await expect(attempt).rejects.toBe(failure);
      expect(await ctx.store.apis.findById(api.id)).toBeUndefined();
      expect(await ctx.store.plans.findById(plan.id)).toBeUndefined();
      expect(await ctx.store.apiKeys.findById(key.id)).toBeUndefined();
      expect(await ctx.store.apiKeys.search({ subscriptionId: key.subscriptionIds[0] })).toEqual([]);
      expect(await ctx.store.events.findById(event.id)).toBeUndefined();
      expect(normalise(await ctx.store.apis.findById(existing.id))).toEqual(normalise(existing));
    });

    it('rolls back when a write inside fails with STORAGE_CONFLICT', async () => {
      const existing = anOrganization();
      await ctx.store.organizations.create(existing);
      const fresh = anOrganization();
      await expectCode(
        ctx.store.transaction(async (repos) => {
          await repos.organizations.create(fresh);
          await repos.organizations.create({ ...anOrganization(), id: existing.id });
        }),
        'STORAGE_CONFLICT',
      );
      expect(await ctx.store.organizations.findById(fresh.id)).toBeUndefined();
    });
  });

  describe('store', () => {
    it('answers ping', async () => {
      await expect(ctx.store.ping()).resolves.toBeUndefined();
    });

    it('names its backend', () => {
      expect(typeof ctx.store.kind).toBe('string');
      expect(ctx.store.kind.length).toBeGreaterThan(0);
    });
  });
}
