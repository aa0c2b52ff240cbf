import type { User, UserRepository, UserStatus } from '@apim/core';
import { fromJsonList, matchesAny, orNull, pageWindow, toDbDate, toDbDateOrNull, toJson, toPage } from '../codec.js';
import { conflictOnDuplicate } from '../errors.js';
import type { UserRow } from '../schema.js';
import { assertUpdated, type RepositoryContext } from './shared.js';

function toRow(user: User): UserRow {
  return {
    id: user.id,
    organization_id: user.organizationId,
    source: user.source,
    source_id: user.sourceId,
    email: orNull(user.email),
    firstname: orNull(user.firstname),
    lastname: orNull(user.lastname),
    password_hash: orNull(user.passwordHash),
    roles: toJson(user.roles ?? []),
    status: user.status,
    last_connection_at: toDbDateOrNull(user.lastConnectionAt, 'lastConnectionAt'),
    created_at: toDbDate(user.createdAt, 'createdAt'),
    updated_at: toDbDate(user.updatedAt, 'updatedAt'),
  };
}

function toRecord(row: UserRow): User {
  return {
    id: row.id,
    organizationId: row.organization_id,
    source: row.source,
    sourceId: row.source_id,
    email: row.email,
    firstname: row.firstname,
    lastname: row.lastname,
    passwordHash: row.password_hash,
    roles: fromJsonList(row.roles),
    status: row.status as UserStatus,
    lastConnectionAt: row.last_connection_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Users. (organizationId, source, sourceId) is unique; `findByEmail` returns the oldest match; `search` matches
 * `query` case-insensitively on sourceId, email, firstname and lastname and orders by createdAt, then id.
 */
export function createUserRepository({ db }: RepositoryContext): UserRepository {
  const first = (rows: UserRow[]) => (rows[0] ? toRecord(rows[0]) : undefined);
  return {
    async create(user) {
      const row = toRow(user);
      await conflictOnDuplicate('User', user.id, () => db.insertInto('users').values(row).execute());
      return toRecord(row);
    },
    async findById(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async findBySource(organizationId, source, sourceId) {
      const rows = await db
        .selectFrom('users')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('source', '=', source)
        .where('source_id', '=', sourceId)
        .execute();
      return first(rows);
    },
    async findByEmail(organizationId, email) {
      const rows = await db
        .selectFrom('users')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('email', '=', email)
        .orderBy('created_at')
        .orderBy('id')
        .limit(1)
        .execute();
      return first(rows);
    },
    async search(criteria, pageable) {
      const window = pageWindow(pageable);
      const base = db
        .selectFrom('users')
        .$if(criteria.organizationId !== undefined, (qb) => qb.where('organization_id', '=', criteria.organizationId!))
        .$if(!!criteria.query, (qb) =>
          qb.where(matchesAny(['source_id', 'email', 'firstname', 'lastname'], criteria.query!)),
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
    async update(user) {
      const { id, ...row } = toRow(user);
      const result = await conflictOnDuplicate('User', id, () =>
        db.updateTable('users').set(row).where('id', '=', id).executeTakeFirst(),
      );
      assertUpdated(result, 'User', id);
      return toRecord({ id, ...row });
    },
    async delete(id) {
      await db.deleteFrom('users').where('id', '=', id).execute();
    },
  };
}
