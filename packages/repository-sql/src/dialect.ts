import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect } from 'kysely';
import { createPool } from 'mysql2';
import pg from 'pg';
import { unavailable } from './errors.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_POOL_SIZE, SILENT_LOGGER, type SqlStoreOptions } from './options.js';
import type { Database } from './schema.js';
import { redact, type StoreLocation } from './url.js';

/**
 * Opens a Kysely instance on the database of a parsed store URL. Nothing connects before the first query, except
 * SQLite which opens its file at once.
 *
 * - SQLite: better-sqlite3 with WAL journal (files), foreign keys on, a 5 s busy timeout;
 * - PostgreSQL: a pg Pool with a connection timeout and TCP keep-alive;
 * - MariaDB/MySQL: a mysql2 (callback) pool, utf8mb4, with a connection timeout and keep-alive.
 */
export function openDatabase(location: StoreLocation, options: Omit<SqlStoreOptions, 'url'> = {}): Kysely<Database> {
  const logger = options.logger ?? SILENT_LOGGER;
  const connectTimeout = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const poolSize = options.poolSize ?? DEFAULT_POOL_SIZE;
  switch (location.kind) {
    case 'sqlite':
      return new Kysely<Database>({ dialect: new SqliteDialect({ database: openSqlite(location.filename) }) });
    case 'postgres': {
      const pool = new pg.Pool({
        connectionString: location.url,
        max: poolSize,
        connectionTimeoutMillis: connectTimeout,
        idleTimeoutMillis: 30_000,
        keepAlive: true,
      });
      // An idle client losing its connection must not crash the process; the next query reconnects.
      pool.on('error', (error) =>
        logger.warn(`PostgreSQL connection lost (${redact(location.url)}): ${error.message}`),
      );
      return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    }
    case 'mysql': {
      const pool = createPool({
        uri: location.url,
        connectionLimit: poolSize,
        connectTimeout,
        charset: 'utf8mb4',
        timezone: 'Z',
        enableKeepAlive: true,
        supportBigNumbers: true,
      });
      return new Kysely<Database>({ dialect: new MysqlDialect({ pool }) });
    }
  }
}

function openSqlite(filename: string): SqliteDatabase.Database {
  const memory = filename === ':memory:' || filename === '';
  try {
    if (!memory) mkdirSync(dirname(filename), { recursive: true });
    const database = new SqliteDatabase(filename, { timeout: 5000 });
    if (!memory) {
      database.pragma('journal_mode = WAL');
      database.pragma('synchronous = NORMAL');
    }
    database.pragma('foreign_keys = ON');
    database.pragma('busy_timeout = 5000');
    return database;
  } catch (error) {
    throw unavailable(error);
  }
}
