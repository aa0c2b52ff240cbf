/**
 * JOLT `shift`: copies input values to output paths. Supported: literal keys, `*` and `a|b` keys, `@` / `@(n,path)`,
 * `$` / `$n` / `$(n,m)`, `#literal` keys; output paths with `&`, `&n`, `&(n,m)`, `@(n,path)`, `.`, `[]`, `[n]`,
 * `[&n]`, `[#n]`, and several output paths per value.
 */
import {
  type CompiledKey,
  compileKey,
  isObject,
  JoltSpecError,
  lookup,
  parseValueRef,
  sortKeys,
  splitTopLevel,
  type ValueRef,
} from './jolt-paths.js';

type Part = string | { amp: number; group: number } | { ref: ValueRef } | { hash: number };
interface Segment {
  key: Part[] | null;
  index: Part[] | 'append' | null;
}
type Child = { kind: 'leaf'; outputs: Segment[][] } | { kind: 'node'; node: ShiftNode };
type Special =
  | { kind: 'at'; ref: ValueRef; child: Child }
  | { kind: 'dollar'; up: number; group: number; child: Child }
  | { kind: 'hash'; value: string; child: Child };
interface ShiftNode {
  entries: { key: CompiledKey; child: Child }[];
  literal: Map<string, Child>;
  computed: boolean;
  specials: Special[];
}
interface Level {
  key: string;
  captures: readonly string[];
  data: unknown;
  hash: number;
}

/** Output path references: `&(n,m)`, `&n`, `@(n,path)`, `#n` (the last only as a whole index). */
const TOKEN = /&\((\d+),(\d+)\)|&(\d*)|@\([^)]*\)|#(\d+)$/y;

function parseParts(text: string, where: string): Part[] {
  const parts: Part[] = [];
  let literal = '';
  let i = 0;
  const flush = () => {
    if (literal !== '') parts.push(literal);
    literal = '';
  };
  while (i < text.length) {
    const c = text[i]!;
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(text);
    if (c === '\\') {
      literal += text[i + 1] ?? '';
      i += 2;
      continue;
    }
    if (m === null) {
      if (c === '@' || c === '$' || c === '*')
        throw new JoltSpecError(`unsupported '${c}' in output path '${text}'`, where);
      literal += c;
      i++;
      continue;
    }
    flush();
    if (m[0].startsWith('&')) parts.push({ amp: Number(m[1] || m[3] || 0), group: Number(m[2] ?? 0) });
    else if (m[0].startsWith('@')) parts.push({ ref: parseValueRef(m[0])! });
    else parts.push({ hash: Number(m[4]) });
    i += m[0].length;
  }
  flush();
  return parts;
}

function parseOutput(path: string, where: string): Segment[] {
  if (path === '') throw new JoltSpecError('empty output path', where);
  return splitTopLevel(path, '.').map((seg) => {
    const m = /^(.*?)(?:\[(.*)\])?$/s.exec(seg)!;
    const key = m[1] === '' ? null : parseParts(m[1]!, where);
    const index = m[2] === undefined ? null : m[2] === '' ? 'append' : parseParts(m[2], where);
    if (key === null && index === null) throw new JoltSpecError(`empty segment in output path '${path}'`, where);
    return { key, index };
  });
}

function compileChild(value: unknown, where: string): Child {
  if (typeof value === 'string') return { kind: 'leaf', outputs: [parseOutput(value, where)] };
  if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
    return { kind: 'leaf', outputs: value.map((v) => parseOutput(v, where)) };
  if (value === null) return { kind: 'leaf', outputs: [] };
  if (isObject(value)) return { kind: 'node', node: compileShift(value, where) };
  throw new JoltSpecError('a shift value must be an output path, a list of paths or an object', where);
}

/** Compiles a shift spec object; throws `JoltSpecError` with the spec path. */
export function compileShift(spec: Record<string, unknown>, where: string): ShiftNode {
  const node: ShiftNode = { entries: [], literal: new Map(), computed: false, specials: [] };
  for (const [rawKey, value] of Object.entries(spec)) {
    const at = `${where}.${rawKey}`;
    const child = compileChild(value, at);
    const dollar = /^\$(?:(\d*)|\((\d+),(\d+)\))$/.exec(rawKey);
    if (rawKey.startsWith('@')) {
      const ref = parseValueRef(rawKey);
      if (ref === null) throw new JoltSpecError(`invalid reference '${rawKey}'`, at);
      node.specials.push({ kind: 'at', ref, child });
    } else if (dollar !== null) {
      if (child.kind !== 'leaf') throw new JoltSpecError(`'${rawKey}' must map to an output path`, at);
      node.specials.push({
        kind: 'dollar',
        up: Number(dollar[1] || dollar[2] || 0),
        group: Number(dollar[3] ?? 0),
        child,
      });
    } else if (rawKey.startsWith('#')) {
      if (child.kind !== 'leaf') throw new JoltSpecError(`'${rawKey}' must map to an output path`, at);
      node.specials.push({ kind: 'hash', value: rawKey.slice(1), child });
    } else if (rawKey.startsWith('&') || rawKey.startsWith('$')) {
      throw new JoltSpecError(`unsupported key '${rawKey}'`, at);
    } else {
      const key = compileKey(rawKey);
      if (key.kind === 'literal') node.literal.set(key.key, child);
      else node.computed = true;
      node.entries.push({ key, child });
    }
  }
  node.entries = sortKeys(node.entries);
  return node;
}

const text = (v: unknown) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

function evalParts(parts: readonly Part[], walked: readonly Level[]): string | undefined {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'string') out += p;
    else if ('amp' in p) {
      const level = walked[walked.length - 1 - p.amp];
      const value = level?.captures[p.group];
      if (value === undefined) return undefined;
      out += value;
    } else if ('ref' in p) {
      const value = lookup(walked[walked.length - 1 - p.ref.up]?.data, p.ref.path);
      if (value === undefined || value === null) return undefined;
      out += text(value);
    } else out += String(walked[walked.length - 1 - p.hash]?.hash ?? 0);
  }
  return out;
}

type Container = Record<string, unknown> | unknown[];

function place(container: Container, key: string | number, value: unknown): void {
  const c = container as Record<string | number, unknown>;
  const existing = c[key];
  if (existing === undefined) c[key] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else c[key] = [existing, value];
}

function write(holder: Record<string, unknown>, path: readonly Segment[], value: unknown, walked: Level[]): void {
  let container: Container = holder;
  let key: string | number = 'root';
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    const last = i === path.length - 1;
    if (seg.key !== null) {
      const name = evalParts(seg.key, walked);
      if (name === undefined) return;
      const c = container as Record<string | number, unknown>;
      if (c[key] === undefined) c[key] = {};
      const next = c[key];
      if (!isObject(next)) return;
      container = next;
      key = name;
    }
    if (seg.index !== null) {
      const c = container as Record<string | number, unknown>;
      let array: unknown = c[key];
      if (array === undefined) array = c[key] = [];
      else if (!Array.isArray(array)) array = c[key] = [array];
      container = array as unknown[];
      if (seg.index === 'append') key = (array as unknown[]).length;
      else {
        const index = Number(evalParts(seg.index, walked));
        if (!Number.isInteger(index) || index < 0) return;
        key = index;
      }
    }
    if (last) {
      if (seg.index === 'append') (container as unknown[]).push(value);
      else place(container, key, value);
    }
  }
}

function emit(child: Child, level: Level, walked: Level[], holder: Record<string, unknown>): void {
  walked.push(level);
  if (child.kind === 'node') applyNode(child.node, level.data, walked, holder);
  else if (level.data !== undefined)
    for (const output of child.outputs) write(holder, output, structuredClone(level.data), walked);
  walked.pop();
  walked[walked.length - 1]!.hash++;
}

function applyNode(node: ShiftNode, data: unknown, walked: Level[], holder: Record<string, unknown>): void {
  const here = walked[walked.length - 1]!;
  for (const s of node.specials) {
    if (s.kind === 'at') {
      const value = lookup(walked[walked.length - 1 - s.ref.up]?.data, s.ref.path);
      const key = s.ref.path.length === 0 && s.ref.up === 0 ? here : undefined;
      emit(
        s.child,
        { key: key?.key ?? text(value), captures: key?.captures ?? [text(value)], data: value, hash: 0 },
        walked,
        holder,
      );
    } else if (s.kind === 'dollar') {
      const value = walked[walked.length - 1 - s.up]?.captures[s.group];
      if (value !== undefined) emit(s.child, { key: value, captures: [value], data: value, hash: 0 }, walked, holder);
    } else emit(s.child, { key: s.value, captures: [s.value], data: s.value, hash: 0 }, walked, holder);
  }
  const scalar = typeof data === 'string' || typeof data === 'number' || typeof data === 'boolean';
  const childOf = (key: string) => (scalar ? undefined : (data as Record<string, unknown>)[key]);
  const has = (key: string) =>
    scalar ? String(data) === key : typeof data === 'object' && data !== null && Object.hasOwn(data, key);
  if (!node.computed) {
    for (const [key, child] of node.literal)
      if (has(key)) emit(child, { key, captures: [key], data: childOf(key), hash: 0 }, walked, holder);
    return;
  }
  const keys = scalar
    ? [String(data)]
    : Array.isArray(data)
      ? data.map((_, i) => String(i))
      : isObject(data)
        ? Object.keys(data)
        : [];
  for (const key of keys) {
    for (const entry of node.entries) {
      const captures = entry.key.kind === 'literal' ? (entry.key.key === key ? [key] : null) : entry.key.match(key);
      if (captures === null) continue;
      emit(entry.child, { key, captures, data: childOf(key), hash: 0 }, walked, holder);
      break;
    }
  }
}

/** Runs a compiled shift on `input`; returns the output (null when nothing matched, as JOLT does). */
export function runShift(node: ShiftNode, input: unknown): unknown {
  const holder: Record<string, unknown> = {};
  applyNode(node, input, [{ key: '', captures: [''], data: input, hash: 0 }], holder);
  return holder.root ?? null;
}

export type { ShiftNode };
