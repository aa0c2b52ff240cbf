import type { FunctionNode, IndexNode, MethodNode, Node, PropertyNode, TypeNode } from './ast.js';
import { BOOLEAN_METHODS, LIST_METHODS, MAP_METHODS, NUMBER_METHODS } from './collection-methods.js';
import { argsEvaluator, type CompileContext, type CompiledNode, type Ev, step } from './compile-types.js';
import { evalError } from './errors.js';
import { FUNCTIONS, pathErrorOffset } from './functions.js';
import { forbiddenNameMessage, isForbiddenName, readIndex, readProperty } from './members.js';
import { type MethodSpec, receiverKind } from './method-table.js';
import { JavaPattern } from './regex.js';
import type { EvalState } from './state.js';
import { ALLOWED_TYPES, findStaticType, type StaticType } from './static-types.js';
import { STRING_METHODS } from './string-methods.js';
import { typeName } from './values.js';

/** Methods whose first argument is a regular expression, compiled once when it is a literal. */
const PATTERN_METHODS = new Set(['matches', 'replaceAll', 'replaceFirst', 'split']);

function checkName(ctx: CompileContext, name: string, position: number): void {
  if (isForbiddenName(name)) ctx.fail(forbiddenNameMessage(name), position, 'EL_FORBIDDEN');
}

/** Records `root` and `root.member` for a read on a variable, so callers know what an expression needs. */
function reference(ctx: CompileContext, target: Node, member: string | null): void {
  if (target.type === 'variable' && member !== null && target.name !== 'this' && target.name !== 'root')
    ctx.references.add(`${target.name}.${member}`);
}

export function compileType(ctx: CompileContext, node: TypeNode): StaticType {
  const type = findStaticType(node.typeName);
  if (type === undefined)
    ctx.fail(
      `Type '${node.typeName}' is not allowed in expressions (allowed: ${ALLOWED_TYPES.join(', ')})`,
      node.start,
      'EL_FORBIDDEN',
    );
  return type!;
}

export function compileProperty(ctx: CompileContext, node: PropertyNode): CompiledNode {
  const { name, safe, start } = node;
  checkName(ctx, name, start + (safe ? 2 : 1));
  if (node.target.type === 'type') {
    const type = compileType(ctx, node.target);
    const field = type.fields.get(name);
    if (field === undefined) ctx.fail(`${type.name} has no static field '${name}'`, start, 'EL_FORBIDDEN');
    const value = field!.value;
    return {
      ev: (s) => {
        step(s);
        return value;
      },
      kind: field!.kind,
      constant: { value },
    };
  }
  reference(ctx, node.target, name);
  const target = ctx.compile(node.target).ev;
  return {
    ev: (s) => {
      step(s);
      const t = target(s);
      if (safe && (t === null || t === undefined)) return null;
      s.pos = start;
      return readProperty(t, name);
    },
  };
}

export function compileIndex(ctx: CompileContext, node: IndexNode): CompiledNode {
  const { safe, start } = node;
  const index = ctx.compile(node.index);
  const key = index.constant?.value;
  if (typeof key === 'string') {
    checkName(ctx, key, node.index.start);
    reference(ctx, node.target, key);
  }
  const target = ctx.compile(node.target).ev;
  const indexEv = index.ev;
  if (index.constant !== undefined) {
    return {
      ev: (s) => {
        step(s);
        const t = target(s);
        if (safe && (t === null || t === undefined)) return null;
        s.pos = start;
        return readIndex(t, key);
      },
    };
  }
  return {
    ev: (s) => {
      step(s);
      const t = target(s);
      if (safe && (t === null || t === undefined)) return null;
      const k = indexEv(s);
      s.pos = start;
      return readIndex(t, k);
    },
  };
}

function compileArgs(ctx: CompileContext, name: string, args: Node[]): Ev[] {
  return args.map((arg, i) => {
    if (i === 0 && PATTERN_METHODS.has(name) && arg.type === 'literal' && typeof arg.value === 'string') {
      let pattern: JavaPattern;
      try {
        pattern = JavaPattern.compile(arg.value);
      } catch (e) {
        return ctx.fail(`Invalid regular expression: ${(e as Error).message}`, arg.start);
      }
      return (s: EvalState) => {
        step(s);
        return pattern;
      };
    }
    return ctx.compile(arg).ev;
  });
}

export function compileMethod(ctx: CompileContext, node: MethodNode): CompiledNode {
  const { name, safe, start } = node;
  checkName(ctx, name, node.target === null ? start : start + (safe ? 2 : 1));
  if (node.target?.type === 'type') return compileStaticCall(ctx, node, compileType(ctx, node.target));
  const specs = {
    string: STRING_METHODS.get(name),
    list: LIST_METHODS.get(name),
    map: MAP_METHODS.get(name),
    number: NUMBER_METHODS.get(name),
    boolean: BOOLEAN_METHODS.get(name),
  } as Record<string, MethodSpec<never> | undefined>;
  if (Object.values(specs).every((v) => v === undefined))
    ctx.fail(`Unknown method '${name}()'`, start, 'EL_UNKNOWN_METHOD');
  if (node.target !== null) reference(ctx, node.target, null);
  const target = node.target === null ? null : ctx.compile(node.target).ev;
  const args = argsEvaluator(compileArgs(ctx, name, node.args));
  return {
    ev: (s) => {
      step(s);
      const t = target === null ? s.thisValue : target(s);
      if (t === null || t === undefined) {
        if (safe) return null;
        s.pos = start;
        throw evalError('EL_NULL_REFERENCE', `Cannot call method '${name}()' on null`);
      }
      const a = args(s);
      s.pos = start;
      const kind = receiverKind(t);
      const spec = kind === null ? undefined : specs[kind];
      if (spec === undefined)
        throw evalError('EL_UNKNOWN_METHOD', `Method '${name}()' is not supported on ${typeName(t)}`);
      if (a.length < spec.min || a.length > spec.max)
        throw evalError(
          'EL_UNKNOWN_METHOD',
          `Method '${name}()' takes ${arity(spec)} on ${typeName(t)}, not ${a.length}`,
        );
      return spec.call(s, t as never, a);
    },
  };
}

const arity = (spec: { min: number; max: number }) =>
  spec.min === spec.max ? `${spec.min} argument${spec.min === 1 ? '' : 's'}` : `${spec.min} to ${spec.max} arguments`;

function compileStaticCall(ctx: CompileContext, node: MethodNode, type: StaticType): CompiledNode {
  const method = type.methods.get(node.name);
  if (method === undefined) ctx.fail(`${type.name} has no allowed method '${node.name}()'`, node.start, 'EL_FORBIDDEN');
  if (node.args.length < method!.min || node.args.length > method!.max)
    ctx.fail(`${type.name}.${node.name}() takes ${arity(method!)}`, node.start);
  const args = argsEvaluator(compileArgs(ctx, node.name, node.args));
  const { start } = node;
  const call = method!.call;
  return {
    ev: (s) => {
      step(s);
      const a = args(s);
      s.pos = start;
      return call(s, a);
    },
    kind: method!.kind,
  };
}

export function compileFunction(ctx: CompileContext, node: FunctionNode): CompiledNode {
  const fn = FUNCTIONS.get(node.name);
  if (fn === undefined)
    ctx.fail(
      `Unknown function '#${node.name}()' (available: ${[...FUNCTIONS.keys()].map((n) => `#${n}`).join(', ')})`,
      node.start,
      'EL_UNKNOWN_METHOD',
    );
  if (node.args.length < fn!.min || node.args.length > fn!.max)
    ctx.fail(`#${node.name}() takes ${arity(fn!)}`, node.start);
  const evs = node.args.map((arg, i) => {
    if (fn!.pathArg?.index === i && arg.type === 'literal' && typeof arg.value === 'string') {
      let prepared: unknown;
      try {
        prepared = fn!.pathArg.parse(arg.value);
      } catch (e) {
        const located = pathErrorOffset(e);
        if (located === null) throw e;
        return ctx.fail(`Invalid path in #${node.name}(): ${located.message}`, arg.start + 1 + located.offset);
      }
      return (s: EvalState) => {
        step(s);
        return prepared;
      };
    }
    return ctx.compile(arg).ev;
  });
  const args = argsEvaluator(evs);
  const { start } = node;
  const call = fn!.call;
  return {
    ev: (s) => {
      step(s);
      const a = args(s);
      s.pos = start;
      return call(s, a);
    },
  };
}
