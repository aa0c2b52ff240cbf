/**
 * SQL configuration store: every repository of `@apim/core` on SQLite, PostgreSQL and MariaDB/MySQL, through Kysely
 * and one set of migrations.
 *
 * Conventions: optional fields absent from a record are stored as NULL and always read back as `null`; dates are
 * stored in canonical `toISOString()` form; see each repository for the order of its lists.
 */
import type { ConfigStore } from '@apim/core';
import { openDatabase } from './dialect.js';
import { mapStorageError } from './errors.js';
import { migrateToLatest } from './migrations.js';
import type { SqlStoreOptions } from './options.js';
import { SqlConfigStore } from './store.js';
import { parseStoreUrl } from './url.js';

export { isConnectionError, isUniqueViolation } from './errors.js';
export {
  createMigrations,
  InCodeMigrationProvider,
  MIGRATION_LOCK_TABLE,
  MIGRATION_NAMES,
  MIGRATION_TABLE,
  migrateToLatest,
} from './migrations.js';
export type { SqlStoreOptions, StoreLogger } from './options.js';
export { PG_CHANGE_CHANNEL } from './repositories/events.js';
export type { Database } from './schema.js';
export { createRepositories, SqlConfigStore } from './store.js';
export { parseStoreUrl, type SqlKind, type StoreLocation } from './url.js';

/**
 * Opens the configuration store named by `options.url`, applies pending migrations, and returns it.
 * Fails with ApimError STORAGE_UNAVAILABLE when the database cannot be reached (within `connectTimeoutMs`).
 *
 * @example
 * const store = await createConfigStore({ url: 'sqlite:./data/apim.db' });
 * const store = await createConfigStore({ url: 'postgres://apim:secret@db:5432/apim', logger: console });
 */
export async function createConfigStore(options: SqlStoreOptions): Promise<ConfigStore> {
  const { url, ...rest } = options;
  const location = parseStoreUrl(url);
  const db = openDatabase(location, rest);
  if (rest.migrate !== false) {
    try {
      await migrateToLatest(db, location.kind);
    } catch (error) {
      await db.destroy().catch(() => undefined);
      throw mapStorageError(error);
    }
  }
  return new SqlConfigStore(db, location, rest);
}
