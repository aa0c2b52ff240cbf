import type { Event, EventCriteria, EventRepository, EventType } from '@apim/core';
import { type SelectQueryBuilder, sql } from 'kysely';
import { fromJsonObject, NOTHING, orNull, pageWindow, toDbDate, toJson, toPage } from '../codec.js';
import { conflictOnDuplicate } from '../errors.js';
import type { Database, EventRow } from '../schema.js';
import type { RepositoryContext } from './shared.js';

/** The PostgreSQL channel notified, in the inserting transaction, whenever an event is created. */
export const PG_CHANGE_CHANNEL = 'apim_events';

function toRow(event: Event): EventRow {
  const properties = event.properties ?? {};
  return {
    id: event.id,
    environment_id: orNull(event.environmentId),
    organization_id: orNull(event.organizationId),
    type: event.type,
    payload: toJson(event.payload ?? {}),
    properties: toJson(properties),
    api_id: typeof properties.api_id === 'string' ? properties.api_id : null,
    created_at: toDbDate(event.createdAt, 'createdAt'),
  };
}

function toRecord(row: EventRow): Event {
  return {
    id: row.id,
    environmentId: row.environment_id,
    organizationId: row.organization_id,
    type: row.type as EventType,
    payload: fromJsonObject(row.payload),
    properties: fromJsonObject(row.properties) as Record<string, string>,
    createdAt: row.created_at,
  };
}

/** Applies the criteria (AND; an empty list matches nothing) to a query on `events`. */
function filter<O>(
  qb: SelectQueryBuilder<Database, 'events', O>,
  { environmentIds, types, apiIds, from, to }: EventCriteria,
): SelectQueryBuilder<Database, 'events', O> {
  const since = from === undefined ? undefined : toDbDate(from, 'from');
  const until = to === undefined ? undefined : toDbDate(to, 'to');
  return qb
    .$if(environmentIds !== undefined, (q) =>
      environmentIds!.length ? q.where('environment_id', 'in', environmentIds!) : q.where(NOTHING),
    )
    .$if(types !== undefined, (q) => (types!.length ? q.where('type', 'in', types!) : q.where(NOTHING)))
    .$if(apiIds !== undefined, (q) => (apiIds!.length ? q.where('api_id', 'in', apiIds!) : q.where(NOTHING)))
    .$if(since !== undefined, (q) => q.where('created_at', '>=', since!))
    .$if(until !== undefined, (q) => q.where('created_at', '<', until!));
}

/**
 * Events. `properties.api_id` is copied into an indexed column. `search` orders oldest first (createdAt, then id);
 * `findLatestByApi` keeps, for each API, the event with the greatest (createdAt, id) among those matching the
 * criteria, and returns them oldest first too. On PostgreSQL, `create` notifies {@link PG_CHANGE_CHANNEL} in the
 * same statement, so listeners wake when the insert commits.
 */
export function createEventRepository({ db, kind }: RepositoryContext): EventRepository {
  return {
    async create(event) {
      const row = toRow(event);
      await conflictOnDuplicate('Event', event.id, async () => {
        if (kind !== 'postgres') {
          await db.insertInto('events').values(row).execute();
          return;
        }
        await db
          .with('inserted', (qc) => qc.insertInto('events').values(row).returning('id'))
          .selectFrom('inserted')
          .select(sql<string>`pg_notify(${PG_CHANGE_CHANNEL}, inserted.id)`.as('notified'))
          .execute();
      });
      return toRecord(row);
    },
    async findById(id) {
      const row = await db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async search(criteria, pageable) {
      const window = pageWindow(pageable);
      const base = filter(db.selectFrom('events'), criteria);
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
    async findLatestByApi(criteria) {
      const ranked = filter(db.selectFrom('events'), criteria)
        .selectAll()
        .select(sql<number>`row_number() over (partition by api_id order by created_at desc, id desc)`.as('event_rank'))
        .where('api_id', 'is not', null);
      const rows = await db
        .selectFrom(ranked.as('ranked'))
        .selectAll()
        .where('event_rank', '=', 1)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toRecord);
    },
    async deleteByApi(apiId) {
      await db.deleteFrom('events').where('api_id', '=', apiId).execute();
    },
  };
}
