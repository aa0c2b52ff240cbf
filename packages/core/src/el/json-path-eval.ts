import type { Filter, JsonPath, JsonPathFunction, Operand, Segment, Selector } from './json-path.js';
import { javaPattern } from './regex.js';
import { elEquals, isPlainObject, resolveLazy } from './values.js';

/** Called with the number of nodes visited, so the caller can enforce its step budget. */
export type Charge = (n: number) => void;

/**
 * Evaluates a parsed JSONPath on a JSON value (plain objects, arrays, Maps). A definite path returns its value or
 * null; an indefinite path returns the list of matches; a trailing function applies to that result.
 *
 * @example
 * evaluateJsonPath(parseJsonPath('$.a[1]'), { a: [1, 2] }, () => {}); // 2
 */
export function evaluateJsonPath(path: JsonPath, root: unknown, charge: Charge): unknown {
  const matches = select([root], path.segments, root, charge, true);
  const value = path.definite ? (matches[0] ?? null) : matches;
  return path.fn === undefined ? value : applyFunction(path.fn, value);
}

function select(nodes: unknown[], segments: Segment[], root: unknown, charge: Charge, leafToNull: boolean): unknown[] {
  let current = nodes;
  for (let k = 0; k < segments.length; k++) {
    const segment = segments[k]!;
    const isLeaf = leafToNull && k === segments.length - 1;
    const next: unknown[] = [];
    for (const node of current) {
      if (segment.descendant)
        descend(node, (n) => applySelectors(n, segment.selectors, root, charge, next, false), charge);
      else applySelectors(node, segment.selectors, root, charge, next, isLeaf);
    }
    current = next;
  }
  return current;
}

function descend(node: unknown, visit: (n: unknown) => void, charge: Charge): void {
  const stack = [node];
  while (stack.length > 0) {
    const n = stack.pop();
    charge(1);
    visit(n);
    const children = childValues(n);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
}

function childValues(n: unknown): unknown[] {
  if (Array.isArray(n)) return n.map(resolveLazy);
  if (n instanceof Map) return [...n.values()].map(resolveLazy);
  if (isPlainObject(n)) return Object.keys(n).map((k) => resolveLazy(n[k]));
  return [];
}

function isObject(n: unknown): n is Record<string, unknown> | Map<unknown, unknown> {
  return n instanceof Map || isPlainObject(n);
}

function property(n: Record<string, unknown> | Map<unknown, unknown>, name: string): unknown {
  if (n instanceof Map) return n.has(name) ? resolveLazy(n.get(name)) : undefined;
  return Object.hasOwn(n, name) ? resolveLazy(n[name]) : undefined;
}

function applySelectors(
  node: unknown,
  selectors: Selector[],
  root: unknown,
  charge: Charge,
  out: unknown[],
  leafToNull: boolean,
): void {
  for (const sel of selectors) {
    switch (sel.kind) {
      case 'name': {
        if (!isObject(node)) break;
        const v = property(node, sel.name);
        if (v !== undefined) out.push(v);
        else if (leafToNull) out.push(null);
        break;
      }
      case 'wildcard': {
        const children = childValues(node);
        charge(children.length);
        for (const child of children) out.push(child);
        break;
      }
      case 'index':
        if (Array.isArray(node)) {
          const i = sel.index < 0 ? node.length + sel.index : sel.index;
          if (i >= 0 && i < node.length) out.push(resolveLazy(node[i]));
        }
        break;
      case 'slice':
        if (Array.isArray(node)) slice(node, sel, out, charge);
        break;
      case 'filter':
        if (Array.isArray(node)) {
          charge(node.length);
          for (const item of node) {
            const v = resolveLazy(item);
            if (test(sel.filter, v, root, charge)) out.push(v);
          }
        } else if (isObject(node) && test(sel.filter, node, root, charge)) out.push(node);
        break;
    }
  }
}

function slice(node: unknown[], sel: Extract<Selector, { kind: 'slice' }>, out: unknown[], charge: Charge): void {
  const len = node.length;
  const norm = (v: number) => (v < 0 ? Math.max(len + v, 0) : Math.min(v, len));
  if (sel.step > 0) {
    const end = sel.end === undefined ? len : norm(sel.end);
    for (let i = sel.start === undefined ? 0 : norm(sel.start); i < end; i += sel.step) {
      charge(1);
      out.push(resolveLazy(node[i]));
    }
  } else {
    const end = sel.end === undefined ? -1 : norm(sel.end);
    const stride = -sel.step;
    for (let i = sel.start === undefined ? len - 1 : Math.min(norm(sel.start), len - 1); i > end; i -= stride) {
      charge(1);
      out.push(resolveLazy(node[i]));
    }
  }
}

function test(f: Filter, current: unknown, root: unknown, charge: Charge): boolean {
  switch (f.kind) {
    case 'or':
      return test(f.left, current, root, charge) || test(f.right, current, root, charge);
    case 'and':
      return test(f.left, current, root, charge) && test(f.right, current, root, charge);
    case 'not':
      return !test(f.operand, current, root, charge);
    case 'exists': {
      const v = operandValue(f.operand, current, root, charge);
      return v !== undefined && v !== null;
    }
    case 'compare':
      return compare(f.op, f.left, f.right, current, root, charge);
  }
}

function operandValue(o: Operand, current: unknown, root: unknown, charge: Charge): unknown {
  if (o.kind === 'literal') return o.value;
  if (o.kind === 'regex') return undefined;
  const found = select([o.root === '@' ? current : root], o.segments, root, charge, false);
  const definite = o.segments.every(
    (s) => !s.descendant && s.selectors.length === 1 && s.selectors[0]!.kind !== 'filter',
  );
  return definite ? found[0] : found;
}

function compare(op: string, l: Operand, r: Operand, current: unknown, root: unknown, charge: Charge): boolean {
  const a = operandValue(l, current, root, charge);
  if (a === undefined) return false;
  if (op === '=~') {
    if (r.kind !== 'regex' || typeof a !== 'string') return false;
    return javaPattern(r.ignoreCase ? `(?i)${r.pattern}` : r.pattern).matchesFully(a);
  }
  const b = operandValue(r, current, root, charge);
  if (b === undefined) return false;
  switch (op) {
    case '==':
      return elEquals(a, b);
    case '!=':
      return !elEquals(a, b);
    case 'in':
      return Array.isArray(b) && b.some((x) => elEquals(a, x));
    case 'nin':
      return Array.isArray(b) && !b.some((x) => elEquals(a, x));
    default: {
      const comparable =
        (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');
      if (!comparable) return false;
      const x = a as number | string;
      const y = b as number | string;
      return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
    }
  }
}

function applyFunction(fn: JsonPathFunction, value: unknown): unknown {
  const items = Array.isArray(value) ? value : null;
  switch (fn) {
    case 'length':
    case 'size':
      if (items !== null) return items.length;
      if (typeof value === 'string') return value.length;
      return isObject(value) ? childValues(value).length : null;
    case 'keys':
      return value instanceof Map ? [...value.keys()] : isPlainObject(value) ? Object.keys(value) : null;
    case 'first':
      return items?.[0] ?? null;
    case 'last':
      return items === null ? null : (items[items.length - 1] ?? null);
    default: {
      const numbers = (items ?? []).filter((v): v is number => typeof v === 'number');
      if (numbers.length === 0) return null;
      if (fn === 'min') return numbers.reduce((x, y) => Math.min(x, y));
      if (fn === 'max') return numbers.reduce((x, y) => Math.max(x, y));
      const sum = numbers.reduce((x, y) => x + y, 0);
      return fn === 'sum' ? sum : sum / numbers.length;
    }
  }
}
