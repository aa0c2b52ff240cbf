import { ElEvaluationError, evalError } from './errors.js';
import { ElMultiValueMap } from './multi-value-map.js';

/**
 * The runtime model. Values are null, booleans, numbers, strings, arrays (lists), Maps, plain objects (maps of their
 * own properties), `ElMultiValueMap`s (headers, params) and type references (`T(java.lang.Math)`). A function found
 * where a value is read is a lazy value of the context: it is called, without arguments, when read.
 */

/** The value of `T(name)` on its own. */
export class TypeRef {
  constructor(readonly name: string) {}
}

/** A plain object: its prototype is `Object.prototype` or null (JSON data, object literals of the gateway). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export type MapLike = Map<unknown, unknown> | Record<string, unknown> | ElMultiValueMap;

export function isMapLike(v: unknown): v is MapLike {
  return v instanceof Map || v instanceof ElMultiValueMap || isPlainObject(v);
}

/** Reads a lazy value: functions are called (no arguments), `undefined` becomes null. */
export function resolveLazy(v: unknown): unknown {
  if (typeof v === 'function') {
    let r: unknown;
    try {
      r = (v as () => unknown)();
    } catch (cause) {
      if (cause instanceof ElEvaluationError) throw cause;
      throw evalError('EL_CONTEXT_ERROR', `A value of the context could not be computed: ${errorText(cause)}`, cause);
    }
    return typeof r === 'function' || r === undefined ? null : r;
  }
  return v === undefined ? null : v;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** `[key, value]` pairs of a map-like value, values resolved. */
export function mapEntries(m: MapLike): [unknown, unknown][] {
  if (m instanceof ElMultiValueMap) return m.entries();
  if (m instanceof Map) return [...m].map(([k, v]) => [k, resolveLazy(v)]);
  return Object.keys(m).map((k) => [k, resolveLazy(m[k])]);
}

export function mapSize(m: MapLike): number {
  return m instanceof Map || m instanceof ElMultiValueMap ? m.size : Object.keys(m).length;
}

/** A short type name for messages. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'list';
  if (isMapLike(v)) return 'map';
  if (v instanceof TypeRef) return 'type';
  return typeof v;
}

/** Java's `Integer`/`Double.toString` for the common cases (integral values print without a fraction). */
export function numberToString(n: number): string {
  return Object.is(n, -0) ? '0' : String(n);
}

/** Java `toString()`: lists print as `[a, b]`, maps as `{k=v}`, null as `null`. */
export function javaToString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberToString(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map(javaToString).join(', ')}]`;
  if (isMapLike(v))
    return `{${mapEntries(v)
      .map(([k, val]) => `${javaToString(k)}=${javaToString(val)}`)
      .join(', ')}}`;
  if (v instanceof TypeRef) return `class ${v.name}`;
  return `[${typeof v}]`;
}

/**
 * Conversion to String as Spring's conversion service does it (string concatenation, templates): lists join their
 * elements with `,` (so a one-value header prints as its value), null is `null`.
 */
export function toStringValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(javaToString).join(',');
  return javaToString(v);
}

/** Spring's String-to-Boolean conversion, used wherever SpEL needs a boolean (`and`, `or`, `!`, `?:` tests). */
export function toBoolean(v: unknown, where: string): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const parsed = parseBooleanText(v);
    if (parsed !== null) return parsed;
    throw evalError('EL_TYPE_ERROR', `Cannot convert '${truncate(v)}' to a boolean ${where}`);
  }
  throw evalError('EL_TYPE_ERROR', `Cannot convert ${typeName(v)} to a boolean ${where}`);
}

/** `true`/`on`/`yes`/`1` and `false`/`off`/`no`/`0` (any case, trimmed); null for anything else. */
export function parseBooleanText(s: string): boolean | null {
  switch (s.trim().toLowerCase()) {
    case 'true':
    case 'on':
    case 'yes':
    case '1':
      return true;
    case 'false':
    case 'off':
    case 'no':
    case '0':
      return false;
    default:
      return null;
  }
}

export const truncate = (s: string, max = 40) => (s.length > max ? `${s.slice(0, max)}...` : s);

/** Java `equals` as SpEL's `==` applies it: numbers by value, lists and maps element by element. */
export function elEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!elEquals(resolveLazy(a[i]), resolveLazy(b[i]))) return false;
    return true;
  }
  if (isMapLike(a) && isMapLike(b)) {
    const ea = mapEntries(a);
    if (ea.length !== mapSize(b)) return false;
    const eb = new Map(mapEntries(b));
    return ea.every(([k, v]) => eb.has(k) && elEquals(v, eb.get(k)));
  }
  if (a instanceof TypeRef && b instanceof TypeRef) return a.name === b.name;
  return false;
}

/** SpEL's standard comparator: null sorts first; numbers, strings and booleans compare with their own kind. */
export function compareValues(a: unknown, b: unknown): number {
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  throw evalError('EL_TYPE_ERROR', `Cannot compare ${typeName(a)} with ${typeName(b)}`);
}
