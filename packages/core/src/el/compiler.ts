import type { Node } from './ast.js';
import { compileFunction, compileIndex, compileMethod, compileProperty, compileType } from './compile-access.js';
import { compileList, compileMap, compileProjection, compileSelection } from './compile-collections.js';
import { compileBinary, compileUnary } from './compile-operators.js';
import { type CompileContext, type CompiledNode, type Ev, step, syntaxError } from './compile-types.js';
import type { ElSyntaxErrorCode } from './errors.js';
import { forbiddenNameMessage, isForbiddenName } from './members.js';
import { resolveLazy, TypeRef, toBoolean } from './values.js';

/** The roots of the evaluation context; any other `#name` is looked up in `variables`. */
export const ROOT_NAMES: ReadonlySet<string> = new Set([
  'request',
  'response',
  'context',
  'api',
  'properties',
  'subscription',
  'dictionaries',
  'endpoints',
  'node',
  'message',
]);

/** Deepest AST accepted (long `a.b.c...` chains and `1+1+...` sums nest without parentheses). */
const MAX_DEPTH = 400;

export interface CompiledAst {
  ev: Ev;
  references: string[];
  constant?: { value: unknown };
}

/**
 * Compiles an AST into a tree of closures, once. Everything that can be checked statically is checked here (names,
 * types, methods, functions, literal patterns and paths) and reported as `ElSyntaxError`.
 *
 * @example
 * const { ev } = compileAst(parseExpression('1 + 2'), '1 + 2');
 */
export function compileAst(ast: Node, source: string): CompiledAst {
  const references = new Set<string>();
  let depth = 0;
  const ctx: CompileContext = {
    source,
    references,
    fail: (message: string, position: number, code?: ElSyntaxErrorCode) => syntaxError(source, message, position, code),
    compile(node: Node): CompiledNode {
      if (++depth > MAX_DEPTH) ctx.fail(`The expression is nested more than ${MAX_DEPTH} levels deep`, node.start);
      const compiled = compileNode(ctx, node);
      depth--;
      return compiled;
    },
  };
  const root = ctx.compile(ast);
  return { ev: root.ev, references: [...references].sort(), ...(root.constant ? { constant: root.constant } : {}) };
}

function compileNode(ctx: CompileContext, node: Node): CompiledNode {
  switch (node.type) {
    case 'literal': {
      const value = node.value;
      return {
        ev: (s) => {
          step(s);
          return value;
        },
        kind: node.numberKind,
        constant: { value },
      };
    }
    case 'variable':
      return compileVariable(ctx, node.name, node.start);
    case 'identifier': {
      const { name, start } = node;
      if (isForbiddenName(name)) ctx.fail(forbiddenNameMessage(name), start, 'EL_FORBIDDEN');
      return compileProperty(ctx, {
        type: 'property',
        start,
        target: { type: 'variable', name: 'this', start },
        name,
        safe: false,
      });
    }
    case 'property':
      return compileProperty(ctx, node);
    case 'index':
      return compileIndex(ctx, node);
    case 'method':
      return compileMethod(ctx, node);
    case 'function':
      return compileFunction(ctx, node);
    case 'type': {
      const value = new TypeRef(compileType(ctx, node).name);
      return {
        ev: (s) => {
          step(s);
          return value;
        },
        constant: { value },
      };
    }
    case 'unary':
      return compileUnary(ctx, node);
    case 'binary':
      return compileBinary(ctx, node);
    case 'ternary': {
      const test = ctx.compile(node.test).ev;
      const consequent = ctx.compile(node.consequent);
      const alternate = ctx.compile(node.alternate);
      const [yes, no] = [consequent.ev, alternate.ev];
      const { start } = node;
      return {
        ev: (s) => {
          step(s);
          const v = test(s);
          s.pos = start;
          return toBoolean(v, 'in a ternary condition') ? yes(s) : no(s);
        },
        kind: consequent.kind === alternate.kind ? consequent.kind : undefined,
      };
    }
    case 'elvis': {
      const left = ctx.compile(node.left).ev;
      const right = ctx.compile(node.right).ev;
      return {
        ev: (s) => {
          step(s);
          const v = left(s);
          return v === null || v === undefined || v === '' ? right(s) : v;
        },
      };
    }
    case 'list':
      return compileList(ctx, node);
    case 'map':
      return compileMap(ctx, node);
    case 'selection':
      return compileSelection(ctx, node);
    case 'projection':
      return compileProjection(ctx, node);
  }
}

function compileVariable(ctx: CompileContext, name: string, position: number): CompiledNode {
  if (name === 'this')
    return {
      ev: (s) => {
        step(s);
        return s.thisValue;
      },
    };
  // SpEL's root object: Gravitee evaluates templates without one.
  if (name === 'root')
    return {
      ev: (s) => {
        step(s);
        return null;
      },
    };
  if (isForbiddenName(name)) ctx.fail(forbiddenNameMessage(name), position, 'EL_FORBIDDEN');
  ctx.references.add(name);
  if (name === 'properties')
    return {
      ev: (s) => {
        step(s);
        const own = Object.hasOwn(s.ctx, name) ? resolveLazy(s.ctx[name]) : null;
        if (own !== null) return own;
        const api = Object.hasOwn(s.ctx, 'api') ? resolveLazy(s.ctx.api) : null;
        return api !== null && typeof api === 'object' && Object.hasOwn(api, 'properties')
          ? resolveLazy((api as Record<string, unknown>).properties)
          : null;
      },
    };
  if (ROOT_NAMES.has(name))
    return {
      ev: (s) => {
        step(s);
        return Object.hasOwn(s.ctx, name) ? resolveLazy(s.ctx[name]) : null;
      },
    };
  return {
    ev: (s) => {
      step(s);
      const variables = Object.hasOwn(s.ctx, 'variables') ? s.ctx.variables : undefined;
      return typeof variables === 'object' && variables !== null && Object.hasOwn(variables, name)
        ? resolveLazy((variables as Record<string, unknown>)[name])
        : null;
    },
  };
}
