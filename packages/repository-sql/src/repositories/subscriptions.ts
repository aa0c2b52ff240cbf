import {
  LIVE_SUBSCRIPTION_STATUSES,
  type Subscription,
  type SubscriptionRepository,
  type SubscriptionStatus,
} from '@apim/core';
import { fromJsonObject, NOTHING, orNull, pageWindow, toDbDate, toDbDateOrNull, toJson, toPage } from '../codec.js';
import { conflictOnDuplicate } from '../errors.js';
import type { SubscriptionRow } from '../schema.js';
import { assertUpdated, type RepositoryContext } from './shared.js';

function toRow(sub: Subscription): SubscriptionRow {
  return {
    id: sub.id,
    environment_id: sub.environmentId,
    api_id: sub.apiId,
    plan_id: sub.planId,
    application_id: sub.applicationId,
    status: sub.status,
    consumer_message: orNull(sub.consumerMessage),
    publisher_message: orNull(sub.publisherMessage),
    client_id: orNull(sub.clientId),
    starting_at: toDbDateOrNull(sub.startingAt, 'startingAt'),
    ending_at: toDbDateOrNull(sub.endingAt, 'endingAt'),
    processed_at: toDbDateOrNull(sub.processedAt, 'processedAt'),
    processed_by: orNull(sub.processedBy),
    subscribed_by: orNull(sub.subscribedBy),
    closed_at: toDbDateOrNull(sub.closedAt, 'closedAt'),
    paused_at: toDbDateOrNull(sub.pausedAt, 'pausedAt'),
    configuration: sub.configuration == null ? null : toJson(sub.configuration),
    metadata: sub.metadata == null ? null : toJson(sub.metadata),
    live_key: LIVE_SUBSCRIPTION_STATUSES.includes(sub.status) ? `${sub.planId}/${sub.applicationId}` : null,
    created_at: toDbDate(sub.createdAt, 'createdAt'),
    updated_at: toDbDate(sub.updatedAt, 'updatedAt'),
  };
}

function toRecord(row: Omit<SubscriptionRow, 'live_key'>): Subscription {
  return {
    id: row.id,
    environmentId: row.environment_id,
    apiId: row.api_id,
    planId: row.plan_id,
    applicationId: row.application_id,
    status: row.status as SubscriptionStatus,
    consumerMessage: row.consumer_message,
    publisherMessage: row.publisher_message,
    clientId: row.client_id,
    startingAt: row.starting_at,
    endingAt: row.ending_at,
    processedAt: row.processed_at,
    processedBy: row.processed_by,
    subscribedBy: row.subscribed_by,
    closedAt: row.closed_at,
    pausedAt: row.paused_at,
    configuration: row.configuration === null ? null : fromJsonObject(row.configuration),
    metadata: row.metadata === null ? null : (fromJsonObject(row.metadata) as Record<string, string>),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Subscriptions. An application holds at most one live (PENDING, ACCEPTED, PAUSED) subscription per plan: a create
 * or update that would make a second one raises ConflictError. `search` combines its criteria with AND (an empty list matches nothing; `apiId` and `apiIds`
 * both apply when both are given) and orders by createdAt, then id.
 */
export function createSubscriptionRepository({ db }: RepositoryContext): SubscriptionRepository {
  return {
    async create(sub) {
      const row = toRow(sub);
      await conflictOnDuplicate('Subscription', sub.id, () => db.insertInto('subscriptions').values(row).execute());
      return toRecord(row);
    },
    async findById(id) {
      const row = await db.selectFrom('subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async search(criteria, pageable) {
      const window = pageWindow(pageable);
      const { environmentId, ids, apiId, apiIds, planId, planIds, applicationId, applicationIds, statuses } = criteria;
      const { updatedSince, endingBefore } = criteria;
      const since = updatedSince === undefined ? undefined : toDbDate(updatedSince, 'updatedSince');
      const endBefore = endingBefore === undefined ? undefined : toDbDate(endingBefore, 'endingBefore');
      const base = db
        .selectFrom('subscriptions')
        .$if(environmentId !== undefined, (qb) => qb.where('environment_id', '=', environmentId!))
        .$if(ids !== undefined, (qb) => (ids!.length ? qb.where('id', 'in', ids!) : qb.where(NOTHING)))
        .$if(apiId !== undefined, (qb) => qb.where('api_id', '=', apiId!))
        .$if(apiIds !== undefined, (qb) => (apiIds!.length ? qb.where('api_id', 'in', apiIds!) : qb.where(NOTHING)))
        .$if(planId !== undefined, (qb) => qb.where('plan_id', '=', planId!))
        .$if(planIds !== undefined, (qb) => (planIds!.length ? qb.where('plan_id', 'in', planIds!) : qb.where(NOTHING)))
        .$if(applicationId !== undefined, (qb) => qb.where('application_id', '=', applicationId!))
        .$if(applicationIds !== undefined, (qb) =>
          applicationIds!.length ? qb.where('application_id', 'in', applicationIds!) : qb.where(NOTHING),
        )
        .$if(statuses !== undefined, (qb) =>
          statuses!.length ? qb.where('status', 'in', statuses!) : qb.where(NOTHING),
        )
        .$if(since !== undefined, (qb) => qb.where('updated_at', '>=', since!))
        .$if(endBefore !== undefined, (qb) =>
          qb.where('ending_at', 'is not', null).where('ending_at', '<', endBefore!),
        );
      const { count } = await base.select((eb) => eb.fn.countAll().as('count')).executeTakeFirstOrThrow();
      const rows = await base
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .limit(window.perPage)
        .offset(window.offset)
        .execute();
      return toPage(rows.map(toRecord), window, count);
    },
    async update(sub) {
      const { id, ...row } = toRow(sub);
      const result = await conflictOnDuplicate('Subscription', id, () =>
        db.updateTable('subscriptions').set(row).where('id', '=', id).executeTakeFirst(),
      );
      assertUpdated(result, 'Subscription', id);
      return toRecord({ id, ...row });
    },
    async delete(id) {
      await db.deleteFrom('subscriptions').where('id', '=', id).execute();
    },
  };
}
