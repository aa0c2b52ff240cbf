import type { Subscription, SubscriptionCriteria } from '@apim/core';
import { describe, expect, it } from 'vitest';
import { describeCrud } from './crud.js';
import { aSubscription, at, type ConformanceContext, expectCode, ids, uid } from './records.js';

/** Subscriptions: search combines criteria with AND and orders by createdAt, then id. */
export function describeSubscriptionConformance(ctx: ConformanceContext): void {
  describeCrud<Subscription>(ctx, {
    entity: 'subscriptions',
    repository: (store) => store.subscriptions,
    full: () => aSubscription(),
    minimal: () => ({
      id: uid('sub'),
      environmentId: uid('env'),
      apiId: uid('api'),
      planId: uid('plan'),
      applicationId: uid('app'),
      status: 'PENDING',
      createdAt: at(0),
      updatedAt: at(0),
    }),
    changed: (sub) => ({
      ...sub,
      status: 'CLOSED',
      consumerMessage: null,
      publisherMessage: 'Closed',
      clientId: null,
      endingAt: null,
      pausedAt: null,
      configuration: null,
      metadata: { changed: 'yes' },
      closedAt: at(40),
      createdAt: at(10),
      updatedAt: at(11),
    }),
    deletable: true,
  });

  describe('subscriptions: search', () => {
    it('filters by each criterion and by all of them together', async () => {
      const environmentId = uid('env');
      const [api1, api2, plan1, plan2, app1, app2] = ['api', 'api', 'plan', 'plan', 'app', 'app'].map(uid);
      const s1 = aSubscription({
        environmentId,
        apiId: api1,
        planId: plan1,
        applicationId: app1,
        createdAt: at(1),
        updatedAt: at(10),
      });
      const s2 = aSubscription({
        environmentId,
        apiId: api1,
        planId: plan2,
        applicationId: app2,
        status: 'PENDING',
        createdAt: at(2),
        updatedAt: at(20),
      });
      const s3 = aSubscription({
        environmentId,
        apiId: api2,
        planId: plan1,
        applicationId: app1,
        status: 'CLOSED',
        createdAt: at(3),
        updatedAt: at(30),
      });
      for (const sub of [s3, s1, s2]) await ctx.store.subscriptions.create(sub);
      const search = async (criteria: SubscriptionCriteria) =>
        ids((await ctx.store.subscriptions.search(criteria)).data);

      expect(await search({ environmentId })).toEqual([s1.id, s2.id, s3.id]);
      expect(await search({ apiId: api1 })).toEqual([s1.id, s2.id]);
      expect(await search({ apiIds: [api2!, api1!] })).toEqual([s1.id, s2.id, s3.id]);
      expect(await search({ apiIds: [] })).toEqual([]);
      expect(await search({ planId: plan1 })).toEqual([s1.id, s3.id]);
      expect(await search({ applicationId: app2 })).toEqual([s2.id]);
      expect(await search({ environmentId, statuses: ['ACCEPTED', 'CLOSED'] })).toEqual([s1.id, s3.id]);
      expect(await search({ environmentId, statuses: [] })).toEqual([]);
      expect(await search({ environmentId, updatedSince: at(20) })).toEqual([s2.id, s3.id]);
      expect(
        await search({
          environmentId,
          apiIds: [api1!, api2!],
          planId: plan1,
          applicationId: app1,
          statuses: ['CLOSED'],
          updatedSince: at(11),
        }),
      ).toEqual([s3.id]);
      expect(await search({ environmentId: uid('env'), apiId: api1 })).toEqual([]);
      expect(await search({ ids: [s3.id, s1.id, uid('sub')] })).toEqual([s1.id, s3.id]);
      expect(await search({ ids: [] })).toEqual([]);
      expect(await search({ environmentId, planIds: [plan2!, uid('plan')] })).toEqual([s2.id]);
      expect(await search({ environmentId, planIds: [] })).toEqual([]);
      expect(await search({ environmentId, applicationIds: [app1!] })).toEqual([s1.id, s3.id]);
      expect(await search({ environmentId, applicationIds: [] })).toEqual([]);
    });

    it('finds the subscriptions ending before an instant', async () => {
      const environmentId = uid('env');
      const ended = aSubscription({ environmentId, endingAt: at(10), createdAt: at(1) });
      const later = aSubscription({ environmentId, endingAt: at(20), createdAt: at(2) });
      const endless = aSubscription({ environmentId, endingAt: null, createdAt: at(3) });
      for (const sub of [ended, later, endless]) await ctx.store.subscriptions.create(sub);
      const search = async (criteria: SubscriptionCriteria) =>
        ids((await ctx.store.subscriptions.search(criteria)).data);
      expect(await search({ environmentId, endingBefore: at(20) })).toEqual([ended.id]);
      expect(await search({ environmentId, endingBefore: at(21) })).toEqual([ended.id, later.id]);
      expect(await search({ environmentId, endingBefore: at(10) })).toEqual([]);
    });
  });

  describe('subscriptions: one live subscription per plan and application', () => {
    it('refuses a second live subscription (STORAGE_CONFLICT), on create and on update', async () => {
      const [planId, applicationId] = [uid('plan'), uid('app')];
      const live = aSubscription({ planId, applicationId, status: 'ACCEPTED' });
      await ctx.store.subscriptions.create(live);
      for (const status of ['PENDING', 'ACCEPTED', 'PAUSED'] as const) {
        await expectCode(
          ctx.store.subscriptions.create(aSubscription({ planId, applicationId, status })),
          'STORAGE_CONFLICT',
        );
      }
      const closed = aSubscription({ planId, applicationId, status: 'CLOSED' });
      const rejected = aSubscription({ planId, applicationId, status: 'REJECTED' });
      await ctx.store.subscriptions.create(closed);
      await ctx.store.subscriptions.create(rejected);
      await expectCode(ctx.store.subscriptions.update({ ...closed, status: 'PENDING' }), 'STORAGE_CONFLICT');
      expect((await ctx.store.subscriptions.findById(closed.id))?.status).toBe('CLOSED');
      // Another plan, or another application, is another pair.
      await ctx.store.subscriptions.create(aSubscription({ planId, status: 'ACCEPTED' }));
      await ctx.store.subscriptions.create(aSubscription({ applicationId, status: 'ACCEPTED' }));
      // Once the first one is closed, the pair is free again.
      await ctx.store.subscriptions.update({ ...live, status: 'CLOSED' });
      await ctx.store.subscriptions.update({ ...closed, status: 'PAUSED' });
      await expectCode(ctx.store.subscriptions.update({ ...rejected, status: 'ACCEPTED' }), 'STORAGE_CONFLICT');
    });

    it('pages by createdAt, then id, with a total count', async () => {
      const apiId = uid('api');
      const [x, y] = [uid('sub'), uid('sub')].sort();
      const subs = [
        aSubscription({ apiId, createdAt: at(5) }),
        aSubscription({ id: y!, apiId, createdAt: at(1) }),
        aSubscription({ id: x!, apiId, createdAt: at(1) }),
      ];
      for (const sub of subs) await ctx.store.subscriptions.create(sub);
      const first = await ctx.store.subscriptions.search({ apiId }, { perPage: 2 });
      expect(first).toMatchObject({ page: 1, perPage: 2, totalCount: 3 });
      expect(ids(first.data)).toEqual([x, y]);
      expect(ids((await ctx.store.subscriptions.search({ apiId }, { page: 2, perPage: 2 })).data)).toEqual([
        subs[0]!.id,
      ]);
    });
  });
}
