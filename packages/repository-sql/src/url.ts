import { fileURLToPath } from 'node:url';
import { ApimError } from '@apim/core';

/** The SQL backends the store runs on. */
export type SqlKind = 'sqlite' | 'postgres' | 'mysql';

/** Where to connect, as parsed from a store URL. */
export type StoreLocation =
  | { kind: 'sqlite' /** A file path, or `:memory:`. */; filename: string }
  | { kind: 'postgres'; url: string }
  | { kind: 'mysql'; url: string };

/**
 * Parses a configuration-store URL.
 *
 * - `sqlite:./data/apim.db`, `sqlite:///var/lib/apim.db`, `sqlite::memory:`, `file:./data/apim.db`,
 *   `file:///var/lib/apim.db`: SQLite (better-sqlite3);
 * - `postgres://user:pass@host:5432/db` or `postgresql://...`: PostgreSQL;
 * - `mysql://user:pass@host:3306/db` or `mariadb://...`: MariaDB/MySQL (the scheme is rewritten to `mysql:`).
 *
 * @example
 * parseStoreUrl('sqlite:./data/apim.db'); // { kind: 'sqlite', filename: './data/apim.db' }
 * @throws ApimError CONFIG_INVALID when the scheme is unknown or the SQLite path is empty.
 */
export function parseStoreUrl(url: string): StoreLocation {
  const trimmed = url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'sqlite':
    case 'sqlite3':
      return { kind: 'sqlite', filename: sqlitePath(trimmed.slice(scheme.length + 1)) };
    case 'file':
      return {
        kind: 'sqlite',
        filename: trimmed.startsWith('file://') ? fileURLToPath(trimmed) : sqlitePath(trimmed.slice(5)),
      };
    case 'postgres':
    case 'postgresql':
      return { kind: 'postgres', url: trimmed };
    case 'mysql':
    case 'mariadb':
      return { kind: 'mysql', url: `mysql:${trimmed.slice(scheme.length + 1)}` };
    default:
      throw new ApimError('CONFIG_INVALID', {
        message: `Unsupported configuration store URL [${redact(trimmed)}]: expected sqlite:, file:, postgres:, postgresql:, mysql: or mariadb:.`,
      });
  }
}

function sqlitePath(rest: string): string {
  // `sqlite:///abs/path` -> `/abs/path`; `sqlite://rel/path` -> `rel/path`; `sqlite:rel/path` -> `rel/path`.
  const path = rest.startsWith('//') ? rest.slice(2) : rest;
  if (path === '') {
    throw new ApimError('CONFIG_INVALID', {
      message: 'The SQLite URL names no file (use sqlite::memory: for memory).',
    });
  }
  return path;
}

/** Hides the password of a URL before it goes into a message or a log. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}
