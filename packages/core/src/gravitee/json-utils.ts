/** Small helpers to read loosely-typed Gravitee documents. */

export type JsonRecord = Record<string, unknown>;

export const isRecord = (v: unknown): v is JsonRecord => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value as an array (`[]` for anything else, including null). */
export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The value as an array of records, other entries dropped. */
export const records = (v: unknown): JsonRecord[] => asArray(v).filter(isRecord);

/** The first of `keys` present (not null/undefined) on `source`: reads both v2 snake_case and camelCase spellings. */
export function pick(source: JsonRecord, ...keys: string[]): unknown {
  for (const key of keys) {
    const value = source[key];
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

export const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
export const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
export const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Copies the defined (non-null) entries of `entries` into a new object; `undefined` when none is defined. */
export function compact<T extends JsonRecord>(entries: T): Partial<T> {
  const out: JsonRecord = {};
  for (const [key, value] of Object.entries(entries)) if (value !== undefined && value !== null) out[key] = value;
  return out as Partial<T>;
}

/** Parses a JSON string (Gravitee stores plugin configurations as strings); other values are returned as they are. */
export function parseJsonString(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  if (v.trim() === '') return {};
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/**
 * Removes the null-valued properties of a definition, recursively (Gravitee exports write `"failover": null`), but
 * leaves plugin configurations (`configuration` values) untouched: a null there can be meaningful.
 */
export function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (!isRecord(value)) return value;
  const out: JsonRecord = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === null) continue;
    out[key] = key === 'configuration' ? v : dropNulls(v);
  }
  return out;
}
