import { ApimError, ConflictError } from '@apim/core';

/** Socket-level error codes that mean "the database cannot be reached". */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
  // mysql2
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'POOL_CLOSED',
  // better-sqlite3
  'SQLITE_CANTOPEN',
  'SQLITE_BUSY',
]);

/** Messages of errors the pg driver raises without a code. */
const CONNECTION_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /connection timeout/i,
  /cannot use a pool after calling end/i,
  /client has encountered a connection error/i,
  /the database connection is not open/i,
];

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Whether an error from a driver means the database is unreachable (refused, reset, timed out, shutting down),
 * as opposed to an error of the statement itself.
 */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof ApimError) return error.code === 'STORAGE_UNAVAILABLE';
  if (error instanceof AggregateError) return error.errors.some(isConnectionError);
  const code = codeOf(error);
  if (code !== undefined) {
    if (CONNECTION_CODES.has(code)) return true;
    // PostgreSQL SQLSTATE: class 08 (connection exception), 57P01-03 (shutdown, cannot connect now).
    if (/^08...$/.test(code) || /^57P0[1-3]$/.test(code)) return true;
  }
  const message = error instanceof Error ? error.message : '';
  return CONNECTION_MESSAGES.some((re) => re.test(message));
}

/** Whether a driver error is a primary-key or unique-index violation. */
export function isUniqueViolation(error: unknown): boolean {
  const code = codeOf(error);
  return (
    code === '23505' || // PostgreSQL unique_violation
    code === 'ER_DUP_ENTRY' || // MariaDB/MySQL 1062
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE'
  );
}

/** A STORAGE_UNAVAILABLE error wrapping the driver's error. */
export function unavailable(cause: unknown): ApimError {
  const detail = cause instanceof Error && cause.message ? `: ${cause.message}` : '';
  return new ApimError('STORAGE_UNAVAILABLE', {
    message: `The configuration store is unavailable${detail}`,
    cause,
  });
}

/** Maps driver connection errors to STORAGE_UNAVAILABLE and leaves every other error as it is. */
export function mapStorageError(error: unknown): unknown {
  if (error instanceof ApimError) return error;
  return isConnectionError(error) ? unavailable(error) : error;
}

/**
 * Runs an insert (or an update touching unique keys) and turns a unique violation into a ConflictError.
 *
 * @example
 * await conflictOnDuplicate('Api', api.id, () => db.insertInto('apis').values(row).execute());
 */
export async function conflictOnDuplicate<T>(entity: string, id: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(entity, id, error);
    throw error;
  }
}

/**
 * Wraps every method of a repository so that driver connection errors surface as STORAGE_UNAVAILABLE.
 *
 * @example
 * const apis = guardRepository(createApiRepository(db));
 */
export function guardRepository<T extends object>(repository: T): T {
  const guarded: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(repository)) {
    guarded[name] =
      typeof value === 'function'
        ? async (...args: unknown[]) => {
            try {
              return await value.apply(repository, args);
            } catch (error) {
              throw mapStorageError(error);
            }
          }
        : value;
  }
  return guarded as T;
}
