/**
 * JOLT `default`, `remove`, `cardinality` and `sort`. Spec keys: literals, `*` and `a|b` (and, for `default`,
 * `key[]` for an array container). Specs are compiled once; `apply*` mutate the input tree in place.
 */
import { type CompiledKey, compileKey, isObject, JoltSpecError, keysOf, sortKeys } from './jolt-paths.js';

type Container = Record<string, unknown> | unknown[];

/** A compiled spec tree whose leaves are `L`. */
export interface TreeNode<L> {
  entries: { key: CompiledKey; array: boolean; child: TreeNode<L> | { leaf: L } }[];
}

/** Compiles a spec object whose leaves `leaf` validates. */
export function compileTree<L>(
  spec: Record<string, unknown>,
  where: string,
  leaf: (value: unknown, where: string) => L,
  options: { arrayKeys?: boolean } = {},
): TreeNode<L> {
  const entries: TreeNode<L>['entries'] = [];
  for (const [rawKey, value] of Object.entries(spec)) {
    const at = `${where}.${rawKey}`;
    const array = options.arrayKeys === true && rawKey.endsWith('[]');
    const keyText = array ? rawKey.slice(0, -2) : rawKey;
    if (/^[@$#&]/.test(keyText)) throw new JoltSpecError(`unsupported key '${rawKey}'`, at);
    const child = isObject(value) ? compileTree(value, at, leaf, options) : { leaf: leaf(value, at) };
    entries.push({ key: compileKey(keyText), array, child });
  }
  return { entries: sortKeys(entries) };
}

/** The keys of `target` an entry applies to: its literal key (when `literalAlways` or present) or every match. */
export function matchingKeys(key: CompiledKey, target: Container, literalAlways: boolean): string[] {
  if (key.kind === 'literal') return literalAlways || Object.hasOwn(target, key.key) ? [key.key] : [];
  return keysOf(target).filter((k) => key.match(k) !== null);
}

const get = (c: Container, k: string) => (c as Record<string, unknown>)[k];
const set = (c: Container, k: string, v: unknown) => {
  (c as Record<string, unknown>)[k] = v;
};
const isContainer = (v: unknown): v is Container => typeof v === 'object' && v !== null;

/** `default`: fills keys that are missing or null; object leaves create containers (`key[]` an array). */
export function applyDefault(node: TreeNode<unknown>, target: Container): void {
  for (const { key, array, child } of node.entries) {
    for (const k of matchingKeys(key, target, true)) {
      const current = get(target, k);
      if ('leaf' in child) {
        if (current === undefined || current === null) set(target, k, structuredClone(child.leaf));
      } else if (current === undefined || current === null) {
        const created: Container = array ? [] : {};
        set(target, k, created);
        applyDefault(child, created);
      } else if (isContainer(current)) applyDefault(child, current);
    }
  }
}

/** `remove`: deletes keys whose spec value is `""`; recurses into objects and arrays. */
export function applyRemove(node: TreeNode<null>, target: Container): void {
  for (const { key, child } of node.entries) {
    const keys = matchingKeys(key, target, false);
    if ('leaf' in child) {
      if (Array.isArray(target)) {
        for (const i of keys.map(Number).sort((a, b) => b - a)) target.splice(i, 1);
      } else for (const k of keys) delete target[k];
    } else
      for (const k of keys) {
        const value = get(target, k);
        if (isContainer(value)) applyRemove(child, value);
      }
  }
}

/** `cardinality`: `ONE` keeps the first element of a list (empty: null); `MANY` wraps a non-list in a list. */
export function applyCardinality(node: TreeNode<'ONE' | 'MANY'>, target: Container): void {
  for (const { key, child } of node.entries) {
    for (const k of matchingKeys(key, target, false)) {
      const value = get(target, k);
      if (!('leaf' in child)) {
        if (isContainer(value)) applyCardinality(child, value);
      } else if (child.leaf === 'ONE') {
        if (Array.isArray(value)) set(target, k, value.length > 0 ? value[0] : null);
      } else if (!Array.isArray(value)) set(target, k, [value]);
    }
  }
}

/** `sort`: object keys in alphabetical order at every depth (JOLT puts keys starting with `~` first). */
export function applySort(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(applySort);
  if (!isObject(value)) return value;
  const rank = (k: string) => (k.startsWith('~') ? 0 : 1);
  const keys = Object.keys(value).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = applySort(value[k]);
  return out;
}

/** Leaf validators for `compileTree`. */
export const leaves = {
  remove(value: unknown, where: string): null {
    if (value !== '') throw new JoltSpecError('a remove leaf must be ""', where);
    return null;
  },
  cardinality(value: unknown, where: string): 'ONE' | 'MANY' {
    if (value !== 'ONE' && value !== 'MANY')
      throw new JoltSpecError('a cardinality leaf must be "ONE" or "MANY"', where);
    return value;
  },
  default: (value: unknown) => value,
};
