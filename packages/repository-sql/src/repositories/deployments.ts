import type { Deployment, DeploymentRepository } from '@apim/core';
import { fromJsonObject, orNull, pageWindow, toDbDate, toJson, toPage } from '../codec.js';
import { conflictOnDuplicate } from '../errors.js';
import type { DeploymentRow } from '../schema.js';
import type { RepositoryContext } from './shared.js';

function toRow(deployment: Deployment): DeploymentRow {
  return {
    id: deployment.id,
    api_id: deployment.apiId,
    environment_id: deployment.environmentId,
    revision: deployment.revision,
    label: orNull(deployment.label),
    definition: toJson(deployment.definition ?? {}),
    deployed_by: orNull(deployment.deployedBy),
    created_at: toDbDate(deployment.createdAt, 'createdAt'),
  };
}

function toRecord(row: DeploymentRow): Deployment {
  return {
    id: row.id,
    apiId: row.api_id,
    environmentId: row.environment_id,
    revision: Number(row.revision),
    label: row.label,
    definition: fromJsonObject(row.definition),
    deployedBy: row.deployed_by,
    createdAt: row.created_at,
  };
}

/** Ids per query of `findLatestByApis` (bound parameters stay far below every backend's limit). */
const IDS_PER_QUERY = 500;

/**
 * Deployments: immutable snapshots. (apiId, revision) is unique, so two concurrent deploys of the same revision
 * end in one ConflictError; `findLatest` is the highest revision (`findLatestByApis` the same for many APIs at once); `findByApi` orders by revision, newest first.
 */
export function createDeploymentRepository({ db }: RepositoryContext): DeploymentRepository {
  return {
    async create(deployment) {
      const row = toRow(deployment);
      await conflictOnDuplicate('Deployment', deployment.id, () => db.insertInto('deployments').values(row).execute());
      return toRecord(row);
    },
    async findById(id) {
      const row = await db.selectFrom('deployments').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async findLatest(apiId) {
      const row = await db
        .selectFrom('deployments')
        .selectAll()
        .where('api_id', '=', apiId)
        .orderBy('revision', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row && toRecord(row);
    },
    async findLatestByApis(apiIds) {
      const unique = [...new Set(apiIds)];
      const found: Deployment[] = [];
      for (let from = 0; from < unique.length; from += IDS_PER_QUERY) {
        const ids = unique.slice(from, from + IDS_PER_QUERY);
        // The highest revision of each API: (api_id, revision) is unique and indexed, so this is one index probe each.
        const rows = await db
          .selectFrom('deployments as d')
          .selectAll('d')
          .where('d.api_id', 'in', ids)
          .where((eb) =>
            eb(
              'd.revision',
              '=',
              eb
                .selectFrom('deployments as latest')
                .select((inner) => inner.fn.max('latest.revision').as('revision'))
                .whereRef('latest.api_id', '=', 'd.api_id'),
            ),
          )
          .execute();
        for (const row of rows) found.push(toRecord(row));
      }
      return found;
    },
    async findByApi(apiId, pageable) {
      const window = pageWindow(pageable);
      const base = db.selectFrom('deployments').where('api_id', '=', apiId);
      const { count } = await base.select((eb) => eb.fn.countAll().as('count')).executeTakeFirstOrThrow();
      const rows = await base
        .selectAll()
        .orderBy('revision', 'desc')
        .limit(window.perPage)
        .offset(window.offset)
        .execute();
      return toPage(rows.map(toRecord), window, count);
    },
    async deleteByApi(apiId) {
      await db.deleteFrom('deployments').where('api_id', '=', apiId).execute();
    },
  };
}
