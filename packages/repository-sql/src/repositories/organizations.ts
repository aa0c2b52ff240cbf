import type { Organization, OrganizationRepository } from '@apim/core';
import { orNull, toDbDate } from '../codec.js';
import { conflictOnDuplicate } from '../errors.js';
import type { OrganizationRow } from '../schema.js';
import { assertUpdated, type RepositoryContext } from './shared.js';

function toRow(org: Organization): OrganizationRow {
  return {
    id: org.id,
    name: org.name,
    description: orNull(org.description),
    created_at: toDbDate(org.createdAt, 'createdAt'),
    updated_at: toDbDate(org.updatedAt, 'updatedAt'),
  };
}

function toRecord(row: OrganizationRow): Organization {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Organizations; `findAll` orders by name, then id. */
export function createOrganizationRepository({ db }: RepositoryContext): OrganizationRepository {
  return {
    async create(org) {
      const row = toRow(org);
      await conflictOnDuplicate('Organization', org.id, () => db.insertInto('organizations').values(row).execute());
      return toRecord(row);
    },
    async findById(id) {
      const row = await db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async findAll() {
      const rows = await db.selectFrom('organizations').selectAll().orderBy('name').orderBy('id').execute();
      return rows.map(toRecord);
    },
    async update(org) {
      const { id, ...row } = toRow(org);
      const result = await db.updateTable('organizations').set(row).where('id', '=', id).executeTakeFirst();
      assertUpdated(result, 'Organization', id);
      return toRecord({ id, ...row });
    },
    async delete(id) {
      await db.deleteFrom('organizations').where('id', '=', id).execute();
    },
  };
}
