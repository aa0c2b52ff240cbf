import type { ListNode, MapNode, ProjectionNode, SelectionNode } from './ast.js';
import { entry } from './collection-methods.js';
import { type CompileContext, type CompiledNode, step } from './compile-types.js';
import { evalError } from './errors.js';
import { checkCollectionSize, type EvalState } from './state.js';
import { isMapLike, mapEntries, resolveLazy, toBoolean, typeName } from './values.js';

/** `{a, b}`: a constant list is built once and frozen; otherwise a fresh array per evaluation. */
export function compileList(ctx: CompileContext, node: ListNode): CompiledNode {
  const items = node.items.map((item) => ctx.compile(item));
  if (items.every((i) => i.constant !== undefined)) {
    const value = Object.freeze(items.map((i) => i.constant!.value));
    return {
      ev: (s) => {
        step(s);
        return value;
      },
    };
  }
  const evs = items.map((i) => i.ev);
  return {
    ev: (s) => {
      step(s);
      const out = new Array(evs.length);
      for (let i = 0; i < evs.length; i++) out[i] = evs[i]!(s);
      return out;
    },
  };
}

/** `{k: v}`: a fresh Map per evaluation (insertion order kept, as SpEL's LinkedHashMap). */
export function compileMap(ctx: CompileContext, node: MapNode): CompiledNode {
  const entries = node.entries.map((e) => [ctx.compile(e.key).ev, ctx.compile(e.value).ev] as const);
  return {
    ev: (s) => {
      step(s);
      const out = new Map<unknown, unknown>();
      for (const [k, v] of entries) out.set(k(s), v(s));
      return out;
    },
  };
}

/** The elements a selection or projection iterates: list items, or map entries (with `key` and `value`). */
function elementsOf(s: EvalState, t: unknown, what: string, position: number): { items: unknown[]; map: boolean } {
  if (Array.isArray(t)) return { items: t, map: false };
  if (isMapLike(t)) return { items: mapEntries(t).map(([k, v]) => entry(k, v)), map: true };
  s.pos = position;
  if (t === null || t === undefined) throw evalError('EL_NULL_REFERENCE', `Cannot apply a ${what} to null`);
  throw evalError('EL_TYPE_ERROR', `A ${what} applies to a list or a map, not to ${typeName(t)}`);
}

/** `.?[p]` (all), `.^[p]` (first), `.$[p]` (last), with `#this` bound to each element. */
export function compileSelection(ctx: CompileContext, node: SelectionNode): CompiledNode {
  const target = ctx.compile(node.target).ev;
  const predicate = ctx.compile(node.predicate).ev;
  const { mode, safe, start } = node;
  const test = (s: EvalState, item: unknown): boolean => {
    s.thisValue = item;
    const v = predicate(s);
    s.pos = start;
    return toBoolean(v, 'in a selection');
  };
  return {
    ev: (s) => {
      step(s);
      const t = target(s);
      if (safe && (t === null || t === undefined)) return null;
      const { items, map } = elementsOf(s, t, 'selection', start);
      const saved = s.thisValue;
      try {
        if (mode === 'all') {
          const out: unknown[] = [];
          for (const raw of items) {
            const item = resolveLazy(raw);
            if (test(s, item)) out.push(item);
          }
          return map ? toMap(out) : out;
        }
        const last = items.length - 1;
        for (let i = 0; i <= last; i++) {
          const item = resolveLazy(items[mode === 'first' ? i : last - i]);
          if (test(s, item)) return map ? toMap([item]) : item;
        }
        return null;
      } finally {
        s.thisValue = saved;
      }
    },
  };
}

function toMap(entries: unknown[]): Map<unknown, unknown> {
  return new Map(entries.map((e) => [(e as { key: unknown }).key, (e as { value: unknown }).value]));
}

/** `.![expr]`: the list of `expr` evaluated with `#this` bound to each element. */
export function compileProjection(ctx: CompileContext, node: ProjectionNode): CompiledNode {
  const target = ctx.compile(node.target).ev;
  const expression = ctx.compile(node.expression).ev;
  const { safe, start } = node;
  return {
    ev: (s) => {
      step(s);
      const t = target(s);
      if (safe && (t === null || t === undefined)) return null;
      const { items } = elementsOf(s, t, 'projection', start);
      checkCollectionSize(s, items.length);
      const saved = s.thisValue;
      try {
        const out = new Array(items.length);
        for (let i = 0; i < items.length; i++) {
          s.thisValue = resolveLazy(items[i]);
          out[i] = expression(s);
        }
        return out;
      } finally {
        s.thisValue = saved;
      }
    },
  };
}
