import type { Application, ApplicationRepository, ApplicationStatus } from '@apim/core';
import { fromJsonObject, matchesAny, NOTHING, orNull, pageWindow, toDbDate, toJson, toPage } from '../codec.js';
import { conflictOnDuplicate } from '../errors.js';
import type { ApplicationRow } from '../schema.js';
import { assertUpdated, type RepositoryContext } from './shared.js';

function toRow(app: Application): ApplicationRow {
  return {
    id: app.id,
    environment_id: app.environmentId,
    name: app.name,
    description: orNull(app.description),
    type: app.type,
    client_id: orNull(app.clientId),
    status: app.status,
    primary_owner_id: orNull(app.primaryOwnerId),
    picture: orNull(app.picture),
    settings: toJson(app.settings ?? {}),
    active_client_key: app.status === 'ACTIVE' && app.clientId ? `${app.environmentId}/${app.clientId}` : null,
    created_at: toDbDate(app.createdAt, 'createdAt'),
    updated_at: toDbDate(app.updatedAt, 'updatedAt'),
  };
}

function toRecord(row: Omit<ApplicationRow, 'active_client_key'>): Application {
  return {
    id: row.id,
    environmentId: row.environment_id,
    name: row.name,
    description: row.description,
    type: row.type,
    clientId: row.client_id,
    status: row.status as ApplicationStatus,
    primaryOwnerId: row.primary_owner_id,
    picture: row.picture,
    settings: fromJsonObject(row.settings),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Applications. The client id of an ACTIVE application is unique in its environment (ConflictError on create or
 * update). `search` combines its criteria with AND (an empty list matches nothing), matches `query`
 * case-insensitively on name and description, and orders by name, then id.
 */
export function createApplicationRepository({ db }: RepositoryContext): ApplicationRepository {
  return {
    async create(app) {
      const row = toRow(app);
      await conflictOnDuplicate('Application', app.id, () => db.insertInto('applications').values(row).execute());
      return toRecord(row);
    },
    async findById(id) {
      const row = await db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async search({ environmentId, ids, clientId, status, query }, pageable) {
      const window = pageWindow(pageable);
      const base = db
        .selectFrom('applications')
        .$if(environmentId !== undefined, (qb) => qb.where('environment_id', '=', environmentId!))
        .$if(ids !== undefined, (qb) => (ids!.length ? qb.where('id', 'in', ids!) : qb.where(NOTHING)))
        .$if(clientId !== undefined, (qb) => qb.where('client_id', '=', clientId!))
        .$if(status !== undefined, (qb) => qb.where('status', '=', status!))
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
    async update(app) {
      const { id, ...row } = toRow(app);
      const result = await conflictOnDuplicate('Application', id, () =>
        db.updateTable('applications').set(row).where('id', '=', id).executeTakeFirst(),
      );
      assertUpdated(result, 'Application', id);
      return toRecord({ id, ...row });
    },
    async delete(id) {
      await db.deleteFrom('applications').where('id', '=', id).execute();
    },
  };
}
