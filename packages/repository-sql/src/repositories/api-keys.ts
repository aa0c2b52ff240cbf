import type { ApiKey, ApiKeyRepository } from '@apim/core';
import { fromDbBool, fromJsonList, toDbBool, toDbDate, toDbDateOrNull, toJson } from '../codec.js';
import { conflictOnDuplicate } from '../errors.js';
import type { ApiKeyRow } from '../schema.js';
import { assertUpdated, type Db, inTransaction, type RepositoryContext } from './shared.js';

function toRow(key: ApiKey): ApiKeyRow {
  return {
    id: key.id,
    environment_id: key.environmentId,
    application_id: key.applicationId,
    subscription_ids: toJson(key.subscriptionIds ?? []),
    key_hash: key.keyHash,
    key_mask: key.keyMask,
    revoked: toDbBool(key.revoked),
    revoked_at: toDbDateOrNull(key.revokedAt, 'revokedAt'),
    paused: toDbBool(key.paused),
    expire_at: toDbDateOrNull(key.expireAt, 'expireAt'),
    created_at: toDbDate(key.createdAt, 'createdAt'),
    updated_at: toDbDate(key.updatedAt, 'updatedAt'),
  };
}

function toRecord(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    environmentId: row.environment_id,
    applicationId: row.application_id,
    subscriptionIds: fromJsonList(row.subscription_ids),
    keyHash: row.key_hash,
    keyMask: row.key_mask,
    revoked: fromDbBool(row.revoked),
    revokedAt: row.revoked_at,
    paused: fromDbBool(row.paused),
    expireAt: row.expire_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Writes the join rows that index a key by each of its subscriptions. */
async function linkSubscriptions(db: Db, keyId: string, subscriptionIds: string[]): Promise<void> {
  const unique = [...new Set(subscriptionIds)];
  if (unique.length === 0) return;
  await db
    .insertInto('api_key_subscriptions')
    .values(unique.map((subscriptionId) => ({ api_key_id: keyId, subscription_id: subscriptionId })))
    .execute();
}

/**
 * API keys. (environmentId, keyHash) is unique; `findByHash` returns revoked and expired keys too (the gateway
 * decides); `search` leaves revoked keys out unless `includeRevoked`, and orders by createdAt, then id.
 */
export function createApiKeyRepository({ db }: RepositoryContext): ApiKeyRepository {
  return {
    async create(key) {
      const row = toRow(key);
      await conflictOnDuplicate('ApiKey', key.id, () =>
        inTransaction(db, async (trx) => {
          await trx.insertInto('api_keys').values(row).execute();
          await linkSubscriptions(trx, key.id, key.subscriptionIds ?? []);
        }),
      );
      return toRecord(row);
    },
    async findById(id) {
      const row = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async findByHash(environmentId, keyHash) {
      const row = await db
        .selectFrom('api_keys')
        .selectAll()
        .where('environment_id', '=', environmentId)
        .where('key_hash', '=', keyHash)
        .executeTakeFirst();
      return row && toRecord(row);
    },
    async search({ environmentId, applicationId, subscriptionId, includeRevoked, updatedSince }) {
      const since = updatedSince === undefined ? undefined : toDbDate(updatedSince, 'updatedSince');
      const rows = await db
        .selectFrom('api_keys')
        .selectAll()
        .$if(environmentId !== undefined, (qb) => qb.where('environment_id', '=', environmentId!))
        .$if(applicationId !== undefined, (qb) => qb.where('application_id', '=', applicationId!))
        .$if(subscriptionId !== undefined, (qb) =>
          qb.where('id', 'in', (eb) =>
            eb.selectFrom('api_key_subscriptions').select('api_key_id').where('subscription_id', '=', subscriptionId!),
          ),
        )
        .$if(!includeRevoked, (qb) => qb.where('revoked', '=', 0))
        .$if(since !== undefined, (qb) => qb.where('updated_at', '>=', since!))
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toRecord);
    },
    async update(key) {
      const { id, ...row } = toRow(key);
      await conflictOnDuplicate('ApiKey', id, () =>
        inTransaction(db, async (trx) => {
          const result = await trx.updateTable('api_keys').set(row).where('id', '=', id).executeTakeFirst();
          assertUpdated(result, 'ApiKey', id);
          await trx.deleteFrom('api_key_subscriptions').where('api_key_id', '=', id).execute();
          await linkSubscriptions(trx, id, key.subscriptionIds ?? []);
        }),
      );
      return toRecord({ id, ...row });
    },
    async delete(id) {
      await inTransaction(db, async (trx) => {
        await trx.deleteFrom('api_key_subscriptions').where('api_key_id', '=', id).execute();
        await trx.deleteFrom('api_keys').where('id', '=', id).execute();
      });
    },
  };
}
