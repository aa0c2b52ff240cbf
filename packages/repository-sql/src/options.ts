/** Where the store writes what it has to say; `console` fits, and so does a pino logger. */
export interface StoreLogger {
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

/** Options of {@link createConfigStore}. */
export interface SqlStoreOptions {
  /**
   * Where the database is: `sqlite:<path>`, `sqlite::memory:`, `file:<path or URL>`, `postgres://...`,
   * `postgresql://...`, `mysql://...` or `mariadb://...`.
   */
  url: string;
  logger?: StoreLogger;
  /** Applies pending migrations when the store opens (default true). */
  migrate?: boolean;
  /** Connections in the PostgreSQL or MySQL pool (default 10). */
  poolSize?: number;
  /** How long to wait for a connection before failing with STORAGE_UNAVAILABLE, in ms (default 5000). */
  connectTimeoutMs?: number;
}

/** A logger that says nothing. */
export const SILENT_LOGGER: StoreLogger = {
  info() {},
  warn() {},
  error() {},
};

export const DEFAULT_POOL_SIZE = 10;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
