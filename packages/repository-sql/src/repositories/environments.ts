import type { Environment, EnvironmentRepository } from '@apim/core';
import { fromJsonList, orNull, toDbDate, toJson } from '../codec.js';
import { conflictOnDuplicate } from '../errors.js';
import type { EnvironmentRow } from '../schema.js';
import { assertUpdated, type RepositoryContext } from './shared.js';

function toRow(env: Environment): EnvironmentRow {
  return {
    id: env.id,
    organization_id: env.organizationId,
    name: env.name,
    description: orNull(env.description),
    hrids: toJson(env.hrids ?? []),
    created_at: toDbDate(env.createdAt, 'createdAt'),
    updated_at: toDbDate(env.updatedAt, 'updatedAt'),
  };
}

function toRecord(row: EnvironmentRow): Environment {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    description: row.description,
    hrids: fromJsonList(row.hrids),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Environments; lists order by name, then id. */
export function createEnvironmentRepository({ db }: RepositoryContext): EnvironmentRepository {
  const select = () => db.selectFrom('environments').selectAll().orderBy('name').orderBy('id');
  return {
    async create(env) {
      const row = toRow(env);
      await conflictOnDuplicate('Environment', env.id, () => db.insertInto('environments').values(row).execute());
      return toRecord(row);
    },
    async findById(id) {
      const row = await db.selectFrom('environments').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async findByOrganization(organizationId) {
      const rows = await select().where('organization_id', '=', organizationId).execute();
      return rows.map(toRecord);
    },
    async findAll() {
      return (await select().execute()).map(toRecord);
    },
    async update(env) {
      const { id, ...row } = toRow(env);
      const result = await db.updateTable('environments').set(row).where('id', '=', id).executeTakeFirst();
      assertUpdated(result, 'Environment', id);
      return toRecord({ id, ...row });
    },
    async delete(id) {
      await db.deleteFrom('environments').where('id', '=', id).execute();
    },
  };
}
