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

/**
 * Deployments: immutable snapshots. (apiId, revision) is unique, so two concurrent deploys of the same revision
 * end in one ConflictError; `findLatest` is the highest revision; `findByApi` orders by revision, newest first.
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
