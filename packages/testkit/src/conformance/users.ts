import type { User } from '@apim/core';
import { describe, expect, it } from 'vitest';
import { describeCrud } from './crud.js';
import { at, aUser, type ConformanceContext, expectCode, ids, normalise, uid } from './records.js';

/** Users: unique (organizationId, source, sourceId); search orders by createdAt, then id. */
export function describeUserConformance(ctx: ConformanceContext): void {
  describeCrud<User>(ctx, {
    entity: 'users',
    repository: (store) => store.users,
    full: () => aUser(),
    minimal: () => {
      const id = uid('usr');
      return {
        id,
        organizationId: uid('org'),
        source: 'oidc',
        sourceId: id,
        roles: [],
        status: 'PENDING',
        createdAt: at(0),
        updatedAt: at(0),
      };
    },
    changed: (user) => ({
      ...user,
      email: null,
      firstname: 'Other',
      lastname: null,
      passwordHash: null,
      roles: ['USER'],
      status: 'ARCHIVED',
      lastConnectionAt: at(20),
      createdAt: at(10),
      updatedAt: at(11),
    }),
    deletable: true,
  });

  describe('users: lookups', () => {
    it('finds a user by source and source id, within its organization only', async () => {
      const user = aUser();
      await ctx.store.users.create(user);
      const other = aUser({ sourceId: user.sourceId });
      await ctx.store.users.create(other);
      expect(normalise(await ctx.store.users.findBySource(user.organizationId, 'memory', user.sourceId))).toEqual(
        normalise(user),
      );
      expect((await ctx.store.users.findBySource(other.organizationId, 'memory', user.sourceId))?.id).toBe(other.id);
      expect(await ctx.store.users.findBySource(user.organizationId, 'oidc', user.sourceId)).toBeUndefined();
      expect(
        await ctx.store.users.findBySource(user.organizationId, 'memory', user.sourceId.toUpperCase()),
      ).toBeUndefined();
    });

    it('rejects a second user with the same source and source id in an organization (STORAGE_CONFLICT)', async () => {
      const user = aUser();
      await ctx.store.users.create(user);
      await expectCode(
        ctx.store.users.create(aUser({ organizationId: user.organizationId, sourceId: user.sourceId })),
        'STORAGE_CONFLICT',
      );
    });

    it('finds a user by email within its organization', async () => {
      const user = aUser();
      await ctx.store.users.create(user);
      expect((await ctx.store.users.findByEmail(user.organizationId, user.email!))?.id).toBe(user.id);
      expect(await ctx.store.users.findByEmail(uid('org'), user.email!)).toBeUndefined();
      expect(await ctx.store.users.findByEmail(user.organizationId, `x${user.email}`)).toBeUndefined();
    });
  });

  describe('users: search', () => {
    it('lists the users of an organization by createdAt, then id, page by page', async () => {
      const organizationId = uid('org');
      const [a, b] = [uid('usr'), uid('usr')].sort();
      const users = [
        aUser({ organizationId, createdAt: at(30) }),
        aUser({ id: b!, organizationId, createdAt: at(10) }),
        aUser({ id: a!, organizationId, createdAt: at(10) }),
        aUser({ organizationId, createdAt: at(20) }),
      ];
      for (const user of users) await ctx.store.users.create(user);
      const expected = [a, b, users[3]!.id, users[0]!.id];
      const all = await ctx.store.users.search({ organizationId });
      expect(ids(all.data)).toEqual(expected);
      expect(all).toMatchObject({ page: 1, perPage: 20, totalCount: 4 });
      const second = await ctx.store.users.search({ organizationId }, { page: 2, perPage: 3 });
      expect(ids(second.data)).toEqual([users[0]!.id]);
      expect(second).toMatchObject({ page: 2, perPage: 3, totalCount: 4 });
    });

    it('matches the query case-insensitively on login, email, firstname and lastname', async () => {
      const organizationId = uid('org');
      const tag = uid('q').slice(0, 10);
      const byLogin = aUser({ organizationId, sourceId: `Login${tag}` });
      const byEmail = aUser({ organizationId, email: `MAIL${tag}@example.com` });
      const byFirst = aUser({ organizationId, firstname: `First${tag}` });
      const byLast = aUser({ organizationId, lastname: `Last${tag}` });
      const none = aUser({ organizationId });
      for (const user of [byLogin, byEmail, byFirst, byLast, none]) await ctx.store.users.create(user);
      const found = await ctx.store.users.search({ organizationId, query: tag.toUpperCase() });
      expect(ids(found.data).sort()).toEqual([byLogin.id, byEmail.id, byFirst.id, byLast.id].sort());
      expect(found.totalCount).toBe(4);
      expect((await ctx.store.users.search({ organizationId, query: 'login' })).data.map((u) => u.id)).toContain(
        byLogin.id,
      );
    });

    it('treats % and _ in the query as plain characters', async () => {
      const organizationId = uid('org');
      const literal = aUser({ organizationId, firstname: '100%_sure' });
      const other = aUser({ organizationId, firstname: '1000 sure' });
      await ctx.store.users.create(literal);
      await ctx.store.users.create(other);
      expect(ids((await ctx.store.users.search({ organizationId, query: '100%_' })).data)).toEqual([literal.id]);
      expect(ids((await ctx.store.users.search({ organizationId, query: '0_s' })).data)).toEqual([]);
    });
  });
}
