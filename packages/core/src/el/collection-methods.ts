import { evalError } from './errors.js';
import { readIndex } from './members.js';
import { argError, intArg, type MethodSpec, m, methodTable, numberArg, stringArg } from './method-table.js';
import { ElMultiValueMap } from './multi-value-map.js';
import { checkCollectionSize } from './state.js';
import {
  compareValues,
  elEquals,
  javaToString,
  type MapLike,
  mapEntries,
  mapSize,
  numberToString,
  resolveLazy,
} from './values.js';

/** Java `List` methods (JSON arrays, header values, list literals). */
export const LIST_METHODS: ReadonlyMap<string, MethodSpec<readonly unknown[]>> = methodTable<readonly unknown[]>({
  contains: m(1, 1, (_s, t, a) => t.some((v) => elEquals(resolveLazy(v), a[0]))),
  containsAll: m(1, 1, (_s, t, a) => {
    const other = a[0];
    if (!Array.isArray(other)) throw argError('containsAll', 0, 'a list', other);
    return other.every((o) => t.some((v) => elEquals(resolveLazy(v), o)));
  }),
  equals: m(1, 1, (_s, t, a) => elEquals(t, a[0])),
  get: m(1, 1, (_s, t, a) => readIndex(t, intArg(a, 0, 'get'))),
  getFirst: m(0, 0, (_s, t) => readIndex(nonEmpty(t, 'getFirst'), 0)),
  getLast: m(0, 0, (_s, t) => readIndex(nonEmpty(t, 'getLast'), t.length - 1)),
  indexOf: m(1, 1, (_s, t, a) => t.findIndex((v) => elEquals(resolveLazy(v), a[0]))),
  isEmpty: m(0, 0, (_s, t) => t.length === 0),
  lastIndexOf: m(1, 1, (_s, t, a) => t.findLastIndex((v) => elEquals(resolveLazy(v), a[0]))),
  size: m(0, 0, (_s, t) => t.length),
  subList: m(2, 2, (_s, t, a) => {
    const from = intArg(a, 0, 'subList');
    const to = intArg(a, 1, 'subList');
    if (from < 0 || to > t.length || from > to)
      throw evalError('EL_INDEX_OUT_OF_BOUNDS', `subList(): from ${from}, to ${to}, size ${t.length}`);
    return t.slice(from, to).map(resolveLazy);
  }),
  toString: m(0, 0, (_s, t) => javaToString(t)),
});

function nonEmpty(t: readonly unknown[], method: string): readonly unknown[] {
  if (t.length === 0) throw evalError('EL_INDEX_OUT_OF_BOUNDS', `${method}(): the list is empty`);
  return t;
}

function mapHas(t: MapLike, key: unknown): boolean {
  if (t instanceof ElMultiValueMap) return typeof key === 'string' && t.has(key);
  if (t instanceof Map) return t.has(key);
  return typeof key === 'string' && Object.hasOwn(t, key);
}

function keysOf(t: MapLike): unknown[] {
  if (t instanceof ElMultiValueMap) return t.names();
  if (t instanceof Map) return [...t.keys()];
  return Object.keys(t);
}

/** Java `Map` methods, plus Gravitee's `HttpHeaders`/`MultiValueMap` helpers on headers and params. */
export const MAP_METHODS: ReadonlyMap<string, MethodSpec<MapLike>> = methodTable<MapLike>({
  containsKey: m(1, 1, (_s, t, a) => mapHas(t, a[0])),
  containsAllKeys: m(1, 1, (_s, t, a) => {
    const keys = a[0];
    if (!Array.isArray(keys)) throw argError('containsAllKeys', 0, 'a list', keys);
    return keys.every((k) => mapHas(t, k));
  }),
  containsValue: m(1, 1, (_s, t, a) => mapEntries(t).some(([, v]) => elEquals(v, a[0]))),
  entrySet: m(0, 0, (_s, t) => mapEntries(t).map(([key, value]) => entry(key, value))),
  equals: m(1, 1, (_s, t, a) => elEquals(t, a[0])),
  get: m(1, 1, (_s, t, a) => readIndex(t, a[0])),
  getKey: m(0, 0, (_s, t) => readIndex(t, 'key')),
  getValue: m(0, 0, (_s, t) => readIndex(t, 'value')),
  getAll: m(1, 1, (_s, t, a) => readIndex(t, stringArg(a, 0, 'getAll')) ?? []),
  getFirst: m(1, 1, (_s, t, a) => {
    const v = readIndex(t, stringArg(a, 0, 'getFirst'));
    return Array.isArray(v) ? resolveLazy(v[0]) : v;
  }),
  getOrDefault: m(2, 2, (_s, t, a) => (mapHas(t, a[0]) ? readIndex(t, a[0]) : a[1])),
  isEmpty: m(0, 0, (_s, t) => mapSize(t) === 0),
  keySet: m(0, 0, (_s, t) => keysOf(t)),
  names: m(0, 0, (_s, t) => keysOf(t)),
  size: m(0, 0, (_s, t) => mapSize(t)),
  toSingleValueMap: m(0, 0, (s, t) => {
    const out = new Map<unknown, unknown>();
    for (const [k, v] of mapEntries(t)) out.set(k, Array.isArray(v) ? resolveLazy(v[0]) : v);
    checkCollectionSize(s, out.size);
    return out;
  }),
  toString: m(0, 0, (_s, t) => javaToString(t)),
  values: m(0, 0, (_s, t) => mapEntries(t).map(([, v]) => v)),
});

/** A `Map.Entry` as seen by expressions: `key`/`value` properties and `getKey()`/`getValue()`. */
export function entry(key: unknown, value: unknown): Record<string, unknown> {
  const e: Record<string, unknown> = Object.create(null);
  e.key = key;
  e.value = value;
  return e;
}

/** Java `Number` methods. */
export const NUMBER_METHODS: ReadonlyMap<string, MethodSpec<number>> = methodTable<number>({
  compareTo: m(1, 1, (_s, t, a) => compareValues(t, numberArg(a, 0, 'compareTo'))),
  doubleValue: m(0, 0, (_s, t) => t),
  equals: m(1, 1, (_s, t, a) => a[0] === t),
  floatValue: m(0, 0, (_s, t) => Math.fround(t)),
  intValue: m(0, 0, (_s, t) => toInt32(t)),
  isInfinite: m(0, 0, (_s, t) => t === Number.POSITIVE_INFINITY || t === Number.NEGATIVE_INFINITY),
  isNaN: m(0, 0, (_s, t) => Number.isNaN(t)),
  longValue: m(0, 0, (_s, t) => (Number.isFinite(t) ? Math.trunc(t) : Number.isNaN(t) ? 0 : t)),
  toString: m(0, 0, (_s, t) => numberToString(t)),
});

/** Java's narrowing of a double to `int`: truncation, saturated to the int range, NaN is 0. */
export function toInt32(n: number): number {
  if (Number.isNaN(n)) return 0;
  return Math.max(-2147483648, Math.min(2147483647, Math.trunc(n)));
}

/** Java `Boolean` methods. */
export const BOOLEAN_METHODS: ReadonlyMap<string, MethodSpec<boolean>> = methodTable<boolean>({
  booleanValue: m(0, 0, (_s, t) => t),
  compareTo: m(1, 1, (_s, t, a) => compareValues(t, a[0])),
  equals: m(1, 1, (_s, t, a) => a[0] === t),
  toString: m(0, 0, (_s, t) => String(t)),
});
