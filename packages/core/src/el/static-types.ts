import type { NumberKind } from './ast.js';
import { toInt32 } from './collection-methods.js';
import { evalError } from './errors.js';
import { intArg, numberArg, stringArg } from './method-table.js';
import { checkString, type EvalState } from './state.js';
import { javaFormat } from './string-format.js';
import { javaToString } from './values.js';

/** A static method reachable through `T(type).name(...)`. */
export interface StaticMethod {
  min: number;
  max: number;
  /** What the method returns, when it is a number of a known kind (for integer division). */
  kind?: NumberKind;
  call(s: EvalState, args: unknown[]): unknown;
}

/** A type of the allow-list: its static methods and constants. Nothing else of the host is reachable. */
export interface StaticType {
  name: string;
  methods: ReadonlyMap<string, StaticMethod>;
  fields: ReadonlyMap<string, { value: unknown; kind?: NumberKind }>;
}

const fn = (min: number, max: number, call: StaticMethod['call'], kind?: NumberKind): StaticMethod =>
  kind === undefined ? { min, max, call } : { min, max, call, kind };
const math1 = (name: string, f: (x: number) => number, kind?: NumberKind) =>
  fn(1, 1, (_s, a) => f(numberArg(a, 0, name)), kind);

const MATH: StaticType = {
  name: 'java.lang.Math',
  methods: new Map<string, StaticMethod>([
    ['abs', math1('abs', Math.abs)],
    ['max', fn(2, 2, (_s, a) => Math.max(numberArg(a, 0, 'max'), numberArg(a, 1, 'max')))],
    ['min', fn(2, 2, (_s, a) => Math.min(numberArg(a, 0, 'min'), numberArg(a, 1, 'min')))],
    ['round', math1('round', (x) => (Number.isNaN(x) ? 0 : Math.floor(x + 0.5)), 'int')],
    ['floor', math1('floor', Math.floor, 'double')],
    ['ceil', math1('ceil', Math.ceil, 'double')],
    ['sqrt', math1('sqrt', Math.sqrt, 'double')],
    ['cbrt', math1('cbrt', Math.cbrt, 'double')],
    ['log', math1('log', Math.log, 'double')],
    ['log10', math1('log10', Math.log10, 'double')],
    ['exp', math1('exp', Math.exp, 'double')],
    ['signum', math1('signum', Math.sign, 'double')],
    ['pow', fn(2, 2, (_s, a) => numberArg(a, 0, 'pow') ** numberArg(a, 1, 'pow'), 'double')],
    ['random', fn(0, 0, () => Math.random(), 'double')],
    ['floorDiv', fn(2, 2, (_s, a) => Math.floor(intArg(a, 0, 'floorDiv') / nonZero(intArg(a, 1, 'floorDiv'))), 'int')],
    [
      'floorMod',
      fn(
        2,
        2,
        (_s, a) => {
          const x = intArg(a, 0, 'floorMod');
          const y = nonZero(intArg(a, 1, 'floorMod'));
          return x - Math.floor(x / y) * y;
        },
        'int',
      ),
    ],
  ]),
  fields: new Map([
    ['PI', { value: Math.PI, kind: 'double' as const }],
    ['E', { value: Math.E, kind: 'double' as const }],
  ]),
};

function nonZero(n: number): number {
  if (n === 0) throw evalError('EL_DIVISION_BY_ZERO', '/ by zero');
  return n;
}

const STRING: StaticType = {
  name: 'java.lang.String',
  methods: new Map([
    ['valueOf', fn(1, 1, (_s, a) => javaToString(a[0]))],
    ['format', fn(1, 64, (s, a) => checkString(s, javaFormat(stringArg(a, 0, 'format'), a.slice(1))))],
    [
      'join',
      fn(1, 64, (s, a) => {
        const items = a.length === 2 && Array.isArray(a[1]) ? (a[1] as unknown[]) : a.slice(1);
        return checkString(s, items.map(javaToString).join(stringArg(a, 0, 'join')));
      }),
    ],
  ]),
  fields: new Map(),
};

/** Java's `Integer.parseInt`/`Long.parseLong`: optional sign and digits of the radix, nothing else. */
function parseInteger(text: unknown, radix: number, method: string, max: number): number {
  if (typeof text !== 'string') throw evalError('EL_INVALID_ARGUMENT', `${method}(): cannot parse null`);
  const digits = radix === 10 ? '0-9' : radix === 16 ? '0-9a-fA-F' : radix === 8 ? '0-7' : radix === 2 ? '01' : '';
  if (digits === '') throw evalError('EL_INVALID_ARGUMENT', `${method}(): unsupported radix ${radix}`);
  const value = new RegExp(`^[+-]?[${digits}]+$`).test(text) ? Number.parseInt(text, radix) : Number.NaN;
  if (Number.isNaN(value) || Math.abs(value) > max)
    throw evalError('EL_INVALID_ARGUMENT', `${method}(): for input string: "${text}"`);
  return value;
}

const INT_MAX = 2147483647;
const parseInt32 = (a: unknown[], method: string) =>
  parseInteger(a[0], a.length > 1 ? intArg(a, 1, method) : 10, method, INT_MAX);
const parseLong = (a: unknown[], method: string) =>
  parseInteger(a[0], a.length > 1 ? intArg(a, 1, method) : 10, method, Number.MAX_SAFE_INTEGER);

function parseDouble(text: unknown): number {
  if (typeof text !== 'string') throw evalError('EL_INVALID_ARGUMENT', 'parseDouble(): cannot parse null');
  const t = text.trim().replace(/[dDfF]$/, '');
  if (t === 'NaN') return Number.NaN;
  const v = /^[+-]?(Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)$/.test(t) ? Number(t) : Number.NaN;
  if (Number.isNaN(v)) throw evalError('EL_INVALID_ARGUMENT', `parseDouble(): for input string: "${text}"`);
  return v;
}

const INTEGER: StaticType = {
  name: 'java.lang.Integer',
  methods: new Map([
    ['parseInt', fn(1, 2, (_s, a) => parseInt32(a, 'parseInt'), 'int')],
    ['valueOf', fn(1, 2, (_s, a) => (typeof a[0] === 'number' ? toInt32(a[0]) : parseInt32(a, 'valueOf')), 'int')],
    ['toString', fn(1, 1, (_s, a) => javaToString(intArg(a, 0, 'toString')))],
  ]),
  fields: new Map([
    ['MAX_VALUE', { value: INT_MAX, kind: 'int' as const }],
    ['MIN_VALUE', { value: -INT_MAX - 1, kind: 'int' as const }],
  ]),
};

const LONG: StaticType = {
  name: 'java.lang.Long',
  methods: new Map([
    ['parseLong', fn(1, 2, (_s, a) => parseLong(a, 'parseLong'), 'int')],
    ['valueOf', fn(1, 2, (_s, a) => (typeof a[0] === 'number' ? Math.trunc(a[0]) : parseLong(a, 'valueOf')), 'int')],
    ['toString', fn(1, 1, (_s, a) => javaToString(intArg(a, 0, 'toString')))],
  ]),
  fields: new Map(),
};

const DOUBLE: StaticType = {
  name: 'java.lang.Double',
  methods: new Map([
    ['parseDouble', fn(1, 1, (_s, a) => parseDouble(a[0]), 'double')],
    ['valueOf', fn(1, 1, (_s, a) => (typeof a[0] === 'number' ? a[0] : parseDouble(a[0])), 'double')],
  ]),
  fields: new Map(),
};

const javaParseBoolean = (v: unknown) =>
  typeof v === 'boolean' ? v : typeof v === 'string' && v.toLowerCase() === 'true';
const BOOLEAN: StaticType = {
  name: 'java.lang.Boolean',
  methods: new Map([
    ['parseBoolean', fn(1, 1, (_s, a) => javaParseBoolean(a[0]))],
    ['valueOf', fn(1, 1, (_s, a) => javaParseBoolean(a[0]))],
  ]),
  fields: new Map([
    ['TRUE', { value: true }],
    ['FALSE', { value: false }],
  ]),
};

const SYSTEM: StaticType = {
  name: 'java.lang.System',
  methods: new Map([
    ['currentTimeMillis', fn(0, 0, () => Date.now(), 'int')],
    ['nanoTime', fn(0, 0, () => Math.round(performance.now() * 1e6), 'int')],
  ]),
  fields: new Map(),
};

const UUID: StaticType = {
  name: 'java.util.UUID',
  methods: new Map([['randomUUID', fn(0, 0, () => globalThis.crypto.randomUUID())]]),
  fields: new Map(),
};

/** `URLEncoder.encode`: UTF-8, space as `+`, only `a-zA-Z0-9.-*_` left as they are. */
export function urlEncode(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

const URL_ENCODER: StaticType = {
  name: 'java.net.URLEncoder',
  methods: new Map([['encode', fn(1, 2, (_s, a) => urlEncode(stringArg(a, 0, 'encode')))]]),
  fields: new Map(),
};

const URL_DECODER: StaticType = {
  name: 'java.net.URLDecoder',
  methods: new Map([
    [
      'decode',
      fn(1, 2, (_s, a) => {
        const text = stringArg(a, 0, 'decode');
        try {
          return decodeURIComponent(text.replace(/\+/g, ' '));
        } catch {
          throw evalError('EL_INVALID_ARGUMENT', `decode(): malformed escape sequence in "${text}"`);
        }
      }),
    ],
  ]),
  fields: new Map(),
};

const TYPES = new Map<string, StaticType>();
for (const type of [MATH, STRING, INTEGER, LONG, DOUBLE, BOOLEAN, SYSTEM, UUID, URL_ENCODER, URL_DECODER]) {
  TYPES.set(type.name, type);
  // java.lang is imported by default in SpEL: T(Math) is T(java.lang.Math).
  if (type.name.startsWith('java.lang.')) TYPES.set(type.name.slice('java.lang.'.length), type);
}

/** The allow-listed types, by their fully qualified names. */
export const ALLOWED_TYPES: readonly string[] = [...new Set([...TYPES.values()].map((t) => t.name))];

/** The allow-listed type called `name` (`java.lang.Math` or `Math`), or undefined. */
export function findStaticType(name: string): StaticType | undefined {
  return TYPES.get(name);
}
