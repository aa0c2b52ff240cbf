import { type JsonObject, type Page, type Pageable, ValidationError } from '@apim/core';
import { type Expression, type SqlBool, sql } from 'kysely';

/** Items per page when the caller gives none. */
export const DEFAULT_PER_PAGE = 20;
/** The largest page a search returns, whatever the caller asks. */
export const MAX_PER_PAGE = 1000;

/** A page request with defaults applied and bounds enforced. */
export interface PageWindow {
  page: number;
  perPage: number;
  offset: number;
}

/**
 * Applies the pagination defaults: page 1, 20 per page, at most {@link MAX_PER_PAGE}.
 *
 * @example
 * pageWindow({ page: 2, perPage: 10 }); // { page: 2, perPage: 10, offset: 10 }
 */
export function pageWindow(pageable: Pageable = {}): PageWindow {
  const page = Math.max(1, Math.floor(pageable.page ?? 1) || 1);
  const perPage = Math.min(MAX_PER_PAGE, Math.max(1, Math.floor(pageable.perPage ?? DEFAULT_PER_PAGE) || 1));
  return { page, perPage, offset: (page - 1) * perPage };
}

/** Builds a page from its rows, its window and the total count. */
export function toPage<T>(data: T[], window: PageWindow, totalCount: number | string | bigint): Page<T> {
  return { data, page: window.page, perPage: window.perPage, totalCount: Number(totalCount) };
}

/**
 * Canonical form of a date for storage: ISO-8601 UTC with milliseconds, so text order is time order on every
 * dialect. Throws a ValidationError when the value is not a date.
 */
export function toDbDate(value: string, field = 'date'): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    throw new ValidationError(`Invalid date [${value}]`, [{ path: `/${field}`, message: 'must be an ISO-8601 date' }]);
  }
  return new Date(time).toISOString();
}

/** {@link toDbDate} for optional dates: null or undefined become null. */
export function toDbDateOrNull(value: string | null | undefined, field?: string): string | null {
  return value === null || value === undefined ? null : toDbDate(value, field);
}

/** Undefined becomes null: the stored form of an absent optional field. */
export function orNull<T>(value: T | null | undefined): T | null {
  return value === undefined ? null : value;
}

/** JSON text of a document or list. */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** Parses a JSON object column. */
export function fromJsonObject(text: string): JsonObject {
  const value: unknown = JSON.parse(text);
  return value !== null && typeof value === 'object' ? (value as JsonObject) : {};
}

/** Parses a JSON string-list column. */
export function fromJsonList(text: string): string[] {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? (value as string[]) : [];
}

/** Booleans are integers 0/1 on every dialect. */
export function toDbBool(value: boolean): number {
  return value ? 1 : 0;
}

/** Reads a 0/1 column (drivers may return numbers, strings or booleans). */
export function fromDbBool(value: unknown): boolean {
  return value === true || Number(value) === 1;
}

/** A condition that matches nothing, for an empty `IN` list. */
export const NOTHING: Expression<SqlBool> = sql<SqlBool>`1 = 0`;

/**
 * A case-insensitive `contains` pattern for `lower(column) like lower(pattern) escape '!'`: `%`, `_` and `!` in the
 * user's text match themselves. `!` is the escape character because backslash means different things in string
 * literals of PostgreSQL and MySQL.
 */
export function containsPattern(text: string): string {
  return `%${text.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/** `lower(column) like lower(pattern) escape '!'` on any of the given columns. */
export function matchesAny(columns: string[], text: string): Expression<SqlBool> {
  const pattern = containsPattern(text);
  const parts = columns.map((column) => sql<SqlBool>`lower(${sql.ref(column)}) like lower(${pattern}) escape '!'`);
  return sql<SqlBool>`(${sql.join(parts, sql` or `)})`;
}
