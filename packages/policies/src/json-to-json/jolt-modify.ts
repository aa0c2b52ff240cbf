/**
 * JOLT `modify-overwrite-beta` and `modify-default-beta`: leaves are literals, `@(n,path)` copies, or function calls
 * `=fn` (on the current value) / `=fn(arg, ...)` with literal or `@(n,path)` arguments. `@(0)` is the value being
 * modified, `@(1,x)` a sibling, `@(2,x)` a sibling of the parent.
 */
import { compileTree, matchingKeys, type TreeNode } from './jolt-ops.js';
import { isObject, JoltSpecError, lookup, parseValueRef, splitTopLevel, type ValueRef } from './jolt-paths.js';

type Arg = { ref: ValueRef } | { value: unknown };
/** A compiled modify leaf. */
export type ModifyLeaf =
  | { kind: 'literal'; value: unknown }
  | { kind: 'ref'; ref: ValueRef }
  | { kind: 'call'; fn: Fn; args: Arg[] | null };
type Fn = (args: unknown[]) => unknown;

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const toText = (v: unknown): string | undefined =>
  v === undefined ? undefined : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
const toNumber = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
};
const flat = (args: unknown[]) =>
  args.flatMap((a) => (Array.isArray(a) ? a : [a])).filter((a) => a !== null && a !== undefined);

/** The supported functions; an unknown name is a configuration error. */
export const MODIFY_FUNCTIONS: Readonly<Record<string, Fn>> = {
  toUpper: ([v]) => str(v)?.toUpperCase(),
  toLower: ([v]) => str(v)?.toLowerCase(),
  trim: ([v]) => str(v)?.trim(),
  toString: (args: unknown[]) => toText(args[0]),
  toInteger: ([v]) => {
    const n = toNumber(v);
    return n === undefined ? undefined : Math.trunc(n);
  },
  toLong: (args) => MODIFY_FUNCTIONS.toInteger!(args),
  toDouble: ([v]) => toNumber(v),
  toBoolean: ([v]) => (v === true || v === 'true' ? true : v === false || v === 'false' ? false : undefined),
  concat: (args) => flat(args).map(toText).join(''),
  join: ([separator, ...rest]) =>
    flat(rest)
      .map(toText)
      .join(toText(separator) ?? ''),
  size: ([v]) =>
    typeof v === 'string' || Array.isArray(v) ? v.length : isObject(v) ? Object.keys(v).length : undefined,
};

function parseArg(text: string, where: string): Arg {
  const t = text.trim();
  const ref = parseValueRef(t);
  if (ref !== null) return { ref };
  if (/^'.*'$/s.test(t)) return { value: t.slice(1, -1) };
  if (t === 'true' || t === 'false') return { value: t === 'true' };
  if (t === 'null') return { value: null };
  if (t !== '' && Number.isFinite(Number(t))) return { value: Number(t) };
  if (t.includes('(')) throw new JoltSpecError(`nested calls are not supported: '${t}'`, where);
  return { value: t };
}

function compileLeaf(value: unknown, where: string): ModifyLeaf {
  if (typeof value !== 'string') return { kind: 'literal', value };
  const ref = value.startsWith('@') ? parseValueRef(value) : null;
  if (ref !== null) return { kind: 'ref', ref };
  const m = /^=(\w+)(?:\((.*)\))?$/s.exec(value);
  if (m === null) {
    if (value.startsWith('=')) throw new JoltSpecError(`invalid function call '${value}'`, where);
    return { kind: 'literal', value };
  }
  const fn = Object.hasOwn(MODIFY_FUNCTIONS, m[1]!) ? MODIFY_FUNCTIONS[m[1]!] : undefined;
  if (fn === undefined) throw new JoltSpecError(`unknown function '${m[1]}'`, where);
  const args =
    m[2] === undefined ? null : m[2].trim() === '' ? [] : splitTopLevel(m[2], ',').map((a) => parseArg(a, where));
  return { kind: 'call', fn, args };
}

/** Compiles a modify spec. */
export function compileModify(spec: Record<string, unknown>, where: string): TreeNode<ModifyLeaf> {
  return compileTree(spec, where, compileLeaf);
}

/** Resolves `@(n,path)`: `stack` ends with the container of the key; level 0 is the key's value. */
function resolve(ref: ValueRef, current: unknown, stack: readonly unknown[]): unknown {
  const base = ref.up === 0 ? current : stack[stack.length - ref.up];
  return lookup(base, ref.path);
}

function evaluateLeaf(leaf: ModifyLeaf, current: unknown, stack: readonly unknown[]): unknown {
  if (leaf.kind === 'literal') return structuredClone(leaf.value);
  if (leaf.kind === 'ref') return structuredClone(resolve(leaf.ref, current, stack));
  const args =
    leaf.args === null ? [current] : leaf.args.map((a) => ('ref' in a ? resolve(a.ref, current, stack) : a.value));
  return leaf.fn(args);
}

type Container = Record<string, unknown> | unknown[];

/**
 * Walks a modify tree over `stack` (ending with the current container): literal keys are created when absent
 * (objects for inner nodes), computed keys visit existing entries; `compute` returns the new value or undefined
 * to leave the entry as it is.
 */
function applyTreeKeys<L>(
  node: TreeNode<L>,
  stack: Container[],
  compute: (leaf: L, current: unknown, stack: readonly unknown[]) => unknown,
): void {
  const target = stack[stack.length - 1]!;
  const record = target as Record<string, unknown>;
  for (const { key, child } of node.entries) {
    for (const k of matchingKeys(key, target, true)) {
      if ('leaf' in child) {
        const value = compute(child.leaf, record[k], stack);
        if (value !== undefined) record[k] = value;
        continue;
      }
      let next = record[k];
      if (next === undefined || next === null) next = record[k] = {};
      if (typeof next === 'object' && next !== null) applyTreeKeys(child, [...stack, next as Container], compute);
    }
  }
}

/** Applies a modify spec; `overwrite` false only fills keys that are missing or null. */
export function applyModify(node: TreeNode<ModifyLeaf>, root: unknown, overwrite: boolean): void {
  if (typeof root !== 'object' || root === null) return;
  applyTreeKeys(node, [root as Record<string, unknown>], (leaf, current, stack) => {
    if (!overwrite && current !== undefined && current !== null) return undefined;
    return evaluateLeaf(leaf, current, stack);
  });
}
