import { NotFoundError } from '@apim/core';
import type { Kysely, UpdateResult } from 'kysely';
import type { Database } from '../schema.js';
import type { SqlKind } from '../url.js';

/** A Kysely handle on the configuration database: the pool, or a transaction. */
export type Db = Kysely<Database>;

/** What every repository factory receives. */
export interface RepositoryContext {
  db: Db;
  kind: SqlKind;
}

/** Runs `fn` in the caller's transaction when there is one, in a new transaction otherwise. */
export async function inTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

/** Throws NotFoundError when an update touched no row. */
export function assertUpdated(result: UpdateResult | undefined, entity: string, id: string): void {
  if (result === undefined || Number(result.numUpdatedRows) === 0) throw new NotFoundError(entity, id);
}
