import type { ApiKey } from '@apim/core';
import { describe, expect, it } from 'vitest';
import { describeCrud } from './crud.js';
import { anApiKey, at, type ConformanceContext, expectCode, ids, normalise, uid } from './records.js';

/** API keys: unique (environmentId, keyHash); search leaves revoked keys out by default, orders by createdAt, id. */
export function describeApiKeyConformance(ctx: ConformanceContext): void {
  describeCrud<ApiKey>(ctx, {
    entity: 'apiKeys',
    repository: (store) => store.apiKeys,
    full: () => anApiKey(),
    minimal: () => ({
      ...anApiKey(),
      revokedAt: undefined,
      expireAt: undefined,
      paused: false,
      subscriptionIds: [],
    }),
    changed: (key) => ({
      ...key,
      subscriptionIds: [uid('sub'), uid('sub')],
      keyHash: `${key.keyHash}-rotated`,
      keyMask: 'zzzz********zzzz',
      revoked: true,
      revokedAt: at(40),
      paused: false,
      expireAt: null,
      createdAt: at(10),
      updatedAt: at(11),
    }),
    deletable: true,
  });

  describe('apiKeys: lookups', () => {
    it('finds a key by its hash within its environment', async () => {
      const key = anApiKey();
      await ctx.store.apiKeys.create(key);
      expect(normalise(await ctx.store.apiKeys.findByHash(key.environmentId, key.keyHash))).toEqual(normalise(key));
      expect(await ctx.store.apiKeys.findByHash(uid('env'), key.keyHash)).toBeUndefined();
      expect(await ctx.store.apiKeys.findByHash(key.environmentId, key.keyHash.toUpperCase())).toBeUndefined();
    });

    it('allows a hash once per environment (STORAGE_CONFLICT)', async () => {
      const key = anApiKey();
      await ctx.store.apiKeys.create(key);
      await expectCode(
        ctx.store.apiKeys.create(anApiKey({ environmentId: key.environmentId, keyHash: key.keyHash })),
        'STORAGE_CONFLICT',
      );
      const elsewhere = anApiKey({ keyHash: key.keyHash });
      await ctx.store.apiKeys.create(elsewhere);
      expect((await ctx.store.apiKeys.findByHash(elsewhere.environmentId, key.keyHash))?.id).toBe(elsewhere.id);
      const another = anApiKey({ environmentId: key.environmentId });
      await ctx.store.apiKeys.create(another);
      await expectCode(ctx.store.apiKeys.update({ ...another, keyHash: key.keyHash }), 'STORAGE_CONFLICT');
      expect(await ctx.store.apiKeys.findByHash(key.environmentId, another.keyHash)).toBeDefined();
    });
  });

  describe('apiKeys: search', () => {
    it('filters by environment, application, subscription, revocation and update time', async () => {
      const environmentId = uid('env');
      const applicationId = uid('app');
      const [shared, solo] = [uid('sub'), uid('sub')];
      const k1 = anApiKey({
        environmentId,
        applicationId,
        subscriptionIds: [shared!, solo!],
        createdAt: at(1),
        updatedAt: at(10),
      });
      const k2 = anApiKey({
        environmentId,
        applicationId,
        subscriptionIds: [shared!],
        createdAt: at(2),
        updatedAt: at(20),
      });
      const revoked = anApiKey({
        environmentId,
        applicationId,
        subscriptionIds: [shared!],
        revoked: true,
        createdAt: at(3),
        updatedAt: at(30),
      });
      const other = anApiKey({ environmentId, createdAt: at(0) });
      for (const key of [revoked, k2, other, k1]) await ctx.store.apiKeys.create(key);

      expect(ids(await ctx.store.apiKeys.search({ environmentId }))).toEqual([other.id, k1.id, k2.id]);
      expect(ids(await ctx.store.apiKeys.search({ environmentId, includeRevoked: true }))).toEqual([
        other.id,
        k1.id,
        k2.id,
        revoked.id,
      ]);
      expect(ids(await ctx.store.apiKeys.search({ applicationId }))).toEqual([k1.id, k2.id]);
      expect(ids(await ctx.store.apiKeys.search({ subscriptionId: shared, includeRevoked: true }))).toEqual([
        k1.id,
        k2.id,
        revoked.id,
      ]);
      expect(ids(await ctx.store.apiKeys.search({ subscriptionId: solo }))).toEqual([k1.id]);
      expect(
        ids(await ctx.store.apiKeys.search({ environmentId, updatedSince: at(20), includeRevoked: true })),
      ).toEqual([k2.id, revoked.id]);
      expect(
        ids(
          await ctx.store.apiKeys.search({
            environmentId,
            applicationId,
            subscriptionId: shared,
            updatedSince: at(15),
          }),
        ),
      ).toEqual([k2.id]);
    });

    it('follows a key to its new subscriptions after an update, and forgets a deleted key', async () => {
      const [before, after] = [uid('sub'), uid('sub')];
      const key = anApiKey({ subscriptionIds: [before!] });
      await ctx.store.apiKeys.create(key);
      await ctx.store.apiKeys.update({ ...key, subscriptionIds: [after!] });
      expect(await ctx.store.apiKeys.search({ subscriptionId: before })).toEqual([]);
      expect(ids(await ctx.store.apiKeys.search({ subscriptionId: after }))).toEqual([key.id]);
      await ctx.store.apiKeys.delete(key.id);
      expect(await ctx.store.apiKeys.search({ subscriptionId: after })).toEqual([]);
      expect(await ctx.store.apiKeys.findByHash(key.environmentId, key.keyHash)).toBeUndefined();
    });
  });
}
