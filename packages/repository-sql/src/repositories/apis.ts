import type { Api, ApiLifecycleState, ApiRepository, ApiState, Visibility } from '@apim/core';
import {
  fromJsonList,
  fromJsonObject,
  matchesAny,
  NOTHING,
  orNull,
  pageWindow,
  toDbDate,
  toDbDateOrNull,
  toJson,
  toPage,
} from '../codec.js';
import { conflictOnDuplicate } from '../errors.js';
import type { ApiRow } from '../schema.js';
import { assertUpdated, type RepositoryContext } from './shared.js';

function toRow(api: Api): ApiRow {
  return {
    id: api.id,
    environment_id: api.environmentId,
    cross_id: orNull(api.crossId),
    name: api.name,
    api_version: api.apiVersion,
    description: orNull(api.description),
    type: api.type,
    definition_version: api.definitionVersion,
    definition: toJson(api.definition ?? {}),
    state: api.state,
    lifecycle_state: api.lifecycleState,
    visibility: api.visibility,
    labels: toJson(api.labels ?? []),
    categories: toJson(api.categories ?? []),
    groups: toJson(api.groups ?? []),
    primary_owner_id: orNull(api.primaryOwnerId),
    picture: orNull(api.picture),
    background: orNull(api.background),
    deployed_at: toDbDateOrNull(api.deployedAt, 'deployedAt'),
    created_at: toDbDate(api.createdAt, 'createdAt'),
    updated_at: toDbDate(api.updatedAt, 'updatedAt'),
  };
}

function toRecord(row: ApiRow): Api {
  return {
    id: row.id,
    environmentId: row.environment_id,
    crossId: row.cross_id,
    name: row.name,
    apiVersion: row.api_version,
    description: row.description,
    type: row.type,
    definitionVersion: row.definition_version,
    definition: fromJsonObject(row.definition),
    state: row.state as ApiState,
    lifecycleState: row.lifecycle_state as ApiLifecycleState,
    visibility: row.visibility as Visibility,
    labels: fromJsonList(row.labels),
    categories: fromJsonList(row.categories),
    groups: fromJsonList(row.groups),
    primaryOwnerId: row.primary_owner_id,
    picture: row.picture,
    background: row.background,
    deployedAt: row.deployed_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * APIs. `search` combines its criteria with AND (an empty list matches nothing), matches `query`
 * case-insensitively on name and description, and orders by name, then id.
 */
export function createApiRepository({ db }: RepositoryContext): ApiRepository {
  return {
    async create(api) {
      const row = toRow(api);
      await conflictOnDuplicate('Api', api.id, () => db.insertInto('apis').values(row).execute());
      return toRecord(row);
    },
    async findById(id) {
      const row = await db.selectFrom('apis').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async search(criteria, pageable) {
      const window = pageWindow(pageable);
      const { environmentId, environmentIds, ids, state, crossId, query } = criteria;
      const base = db
        .selectFrom('apis')
        .$if(environmentId !== undefined, (qb) => qb.where('environment_id', '=', environmentId!))
        .$if(environmentIds !== undefined, (qb) =>
          environmentIds!.length ? qb.where('environment_id', 'in', environmentIds!) : qb.where(NOTHING),
        )
        .$if(ids !== undefined, (qb) => (ids!.length ? qb.where('id', 'in', ids!) : qb.where(NOTHING)))
        .$if(state !== undefined, (qb) => qb.where('state', '=', state!))
        .$if(crossId !== undefined, (qb) => qb.where('cross_id', '=', crossId!))
        .$if(!!query, (qb) => qb.where(matchesAny(['name', 'description'], query!)));
      const { count } = await base.select((eb) => eb.fn.countAll().as('count')).executeTakeFirstOrThrow();
      const rows = await base
        .selectAll()
        .orderBy('name')
        .orderBy('id')
        .limit(window.perPage)
        .offset(window.offset)
        .execute();
      return toPage(rows.map(toRecord), window, count);
    },
    async update(api) {
      const { id, ...row } = toRow(api);
      const result = await db.updateTable('apis').set(row).where('id', '=', id).executeTakeFirst();
      assertUpdated(result, 'Api', id);
      return toRecord({ id, ...row });
    },
    async delete(id) {
      await db.deleteFrom('apis').where('id', '=', id).execute();
    },
  };
}
