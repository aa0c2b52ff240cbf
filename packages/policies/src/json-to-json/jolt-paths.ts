/**
 * Shared pieces of the JOLT engine: the spec error, key matchers (`*`, `a|b`), `@(n,path)` lookups and the argument
 * splitter. Everything here runs at deploy time except `lookup`.
 */

/** A JOLT specification the engine refuses; `path` points into the spec (`[0].spec.rating.*`). */
export class JoltSpecError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(`${path}: ${message}`);
  }
}

/** Matches an input key; returns the captures (`[whole key, ...stars]`) or null. */
export type KeyMatch = (key: string) => string[] | null;

/** A compiled spec key: literal keys are looked up directly; computed ones are tried in `rank` order. */
export type CompiledKey = { kind: 'literal'; key: string } | { kind: 'computed'; match: KeyMatch; rank: number };

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Removes JOLT's backslash escapes (`\@`, `\$`, `\.`). */
export const unescapeKey = (key: string) => key.replace(/\\(.)/g, '$1');

/**
 * Compiles a left-hand key: `*` wildcards (each a capture), `a|b` alternatives, or a literal. Rank: pure
 * alternatives 0, partial wildcards 1, bare `*` 2 (JOLT tries the most specific first).
 */
export function compileKey(key: string): CompiledKey {
  if (!/(?<!\\)[*|]/.test(key)) return { kind: 'literal', key: unescapeKey(key) };
  const alternatives = key.split('|').map((alt) => {
    const parts = alt.split('*').map((p) => escapeRe(unescapeKey(p)));
    return new RegExp(`^${parts.join('(.*?)')}$`, 's');
  });
  const match: KeyMatch = (input) => {
    for (const re of alternatives) {
      const m = re.exec(input);
      if (m !== null) return [...m].map((g) => g ?? '');
    }
    return null;
  };
  const rank = key === '*' ? 2 : key.includes('*') ? 1 : 0;
  return { kind: 'computed', match, rank };
}

/** Orders compiled keys: literals first, then computed keys by rank, keeping declaration order otherwise. */
export function sortKeys<T extends { key: CompiledKey }>(entries: T[]): T[] {
  const rankOf = (k: CompiledKey) => (k.kind === 'literal' ? -1 : k.rank);
  return entries
    .map((e, i) => [e, i] as const)
    .sort((a, b) => rankOf(a[0].key) - rankOf(b[0].key) || a[1] - b[1])
    .map(([e]) => e);
}

/** A parsed `@(n,path)` reference: n levels up, then the dotted path (empty: the level itself). */
export interface ValueRef {
  up: number;
  path: readonly string[];
}

/** Parses `@`, `@(n,a.b)`, `@(a.b)` or `@a`; returns null when `text` is not a value reference. */
export function parseValueRef(text: string): ValueRef | null {
  if (text === '@') return { up: 0, path: [] };
  const m = /^@\((?:(\d+)\s*,)?\s*([^)]*)\)$/.exec(text);
  if (m !== null) return { up: Number(m[1] ?? 0), path: splitPath(m[2]!.trim()) };
  if (/^@[^(]/.test(text)) return { up: 0, path: splitPath(text.slice(1)) };
  return null;
}

const splitPath = (path: string) => (path === '' ? [] : path.split('.').map(unescapeKey));

/** Navigates `path` inside `value` (objects by key, arrays by index); undefined when absent. */
export function lookup(value: unknown, path: readonly string[]): unknown {
  let cur = value;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null || !Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Splits `a.b(c.d).e[x.y]` on the dots outside parentheses and brackets. */
export function splitTopLevel(text: string, separator: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') i++;
    else if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === "'") quote = c;
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === separator && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

/** True for a JSON object (not an array, not null). */
export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The keys of an object, or the indices of an array as strings. */
export function keysOf(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((_, i) => String(i));
  return isObject(v) ? Object.keys(v) : [];
}
