import type { BinaryNode, NumberKind, UnaryNode } from './ast.js';
import { type CompileContext, type CompiledNode, type Ev, step } from './compile-types.js';
import { evalError } from './errors.js';
import { JavaPattern, toPattern } from './regex.js';
import { checkString, type EvalState, stringTooLong } from './state.js';
import { compareValues, elEquals, toBoolean, toStringValue, typeName } from './values.js';

function operandError(op: string, a: unknown, b?: unknown): never {
  const types = b === undefined ? typeName(a) : `${typeName(a)} and ${typeName(b)}`;
  throw evalError('EL_TYPE_ERROR', `Operator ${op} is not supported on ${types}`);
}

export function compileUnary(ctx: CompileContext, node: UnaryNode): CompiledNode {
  const operand = ctx.compile(node.operand);
  const ev = operand.ev;
  const { start, op } = node;
  if (op === '!')
    return {
      ev: (s) => {
        step(s);
        const v = ev(s);
        s.pos = start;
        return !toBoolean(v, 'for the ! operator');
      },
    };
  return {
    ev: (s) => {
      step(s);
      const v = ev(s);
      if (typeof v !== 'number') {
        s.pos = start;
        operandError(`unary ${op}`, v);
      }
      return op === '-' ? -v : v;
    },
    kind: operand.kind,
  };
}

type Arithmetic = (s: EvalState, a: unknown, b: unknown) => unknown;

/** The kind of an arithmetic result: double if either side is, int if both are, unknown otherwise. */
function resultKind(a: NumberKind | undefined, b: NumberKind | undefined): NumberKind | undefined {
  if (a === 'double' || b === 'double') return 'double';
  return a === 'int' && b === 'int' ? 'int' : undefined;
}

function arithmetic(op: string, leftKind: NumberKind | undefined, rightKind: NumberKind | undefined): Arithmetic {
  const forceDouble = leftKind === 'double' || rightKind === 'double';
  switch (op) {
    case '+':
      return (s, a, b) => {
        if (typeof a === 'number' && typeof b === 'number') return a + b;
        if (typeof a === 'string' || typeof b === 'string') {
          const text = toStringValue(a) + toStringValue(b);
          return checkString(s, text);
        }
        return operandError('+', a, b);
      };
    case '-':
      return (_s, a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : operandError('-', a, b));
    case '*':
      return (s, a, b) => {
        if (typeof a === 'number' && typeof b === 'number') return a * b;
        if (typeof a === 'string' && typeof b === 'number' && Number.isInteger(b) && b >= 0) {
          if (a.length * b > s.maxStringLength) stringTooLong(s, a.length * b);
          return a.repeat(b);
        }
        return operandError('*', a, b);
      };
    case '/':
      return (_s, a, b) => {
        if (typeof a !== 'number' || typeof b !== 'number') return operandError('/', a, b);
        if (forceDouble || !Number.isInteger(a) || !Number.isInteger(b)) return a / b;
        if (b === 0) throw evalError('EL_DIVISION_BY_ZERO', '/ by zero');
        return Math.trunc(a / b);
      };
    case '%':
      return (_s, a, b) => {
        if (typeof a !== 'number' || typeof b !== 'number') return operandError('%', a, b);
        if (!forceDouble && b === 0 && Number.isInteger(a)) throw evalError('EL_DIVISION_BY_ZERO', '% by zero');
        return a % b;
      };
    default:
      return (_s, a, b) => (typeof a === 'number' && typeof b === 'number' ? a ** b : operandError('^', a, b));
  }
}

function logical(node: BinaryNode, left: Ev, right: Ev): Ev {
  const { start, op } = node;
  const where = `for the ${op} operator`;
  if (op === 'and')
    return (s) => {
      step(s);
      const a = left(s);
      s.pos = start;
      if (!toBoolean(a, where)) return false;
      const b = right(s);
      s.pos = start;
      return toBoolean(b, where);
    };
  return (s) => {
    step(s);
    const a = left(s);
    s.pos = start;
    if (toBoolean(a, where)) return true;
    const b = right(s);
    s.pos = start;
    return toBoolean(b, where);
  };
}

function relational(node: BinaryNode, left: Ev, right: Ev, rightConstant: { value: unknown } | undefined): Ev {
  const { start, op } = node;
  if ((op === '==' || op === '!=') && typeof rightConstant?.value === 'string') {
    // Java's String.equals against a literal is a strict comparison: the hot path of most conditions.
    const literal = rightConstant.value;
    return op === '=='
      ? (s) => {
          step(s);
          return left(s) === literal;
        }
      : (s) => {
          step(s);
          return left(s) !== literal;
        };
  }
  if (op === '==')
    return (s) => {
      step(s);
      return elEquals(left(s), right(s));
    };
  if (op === '!=')
    return (s) => {
      step(s);
      return !elEquals(left(s), right(s));
    };
  const test =
    op === '<'
      ? (c: number) => c < 0
      : op === '<='
        ? (c: number) => c <= 0
        : op === '>'
          ? (c: number) => c > 0
          : (c: number) => c >= 0;
  return (s) => {
    step(s);
    const a = left(s);
    const b = right(s);
    s.pos = start;
    return test(compareValues(a, b));
  };
}

export function compileBinary(ctx: CompileContext, node: BinaryNode): CompiledNode {
  const left = ctx.compile(node.left);
  const { op, start } = node;
  if (op === 'matches' && node.right.type === 'literal' && typeof node.right.value === 'string') {
    let pattern: JavaPattern;
    try {
      pattern = JavaPattern.compile(node.right.value);
    } catch (e) {
      return ctx.fail(`Invalid regular expression: ${(e as Error).message}`, node.right.start);
    }
    return { ev: matcher(start, left.ev, () => pattern) };
  }
  const right = ctx.compile(node.right);
  if (op === 'and' || op === 'or') return { ev: logical(node, left.ev, right.ev) };
  if (op === '==' || op === '!=' || op === '<' || op === '<=' || op === '>' || op === '>=')
    return { ev: relational(node, left.ev, right.ev, right.constant) };
  if (op === 'matches') return { ev: matcher(start, left.ev, right.ev) };
  if (op === 'between') return { ev: between(start, left.ev, right.ev) };
  const f = arithmetic(op, left.kind, right.kind);
  const l = left.ev;
  const r = right.ev;
  const kind = resultKind(left.kind, right.kind);
  return {
    ev: (s) => {
      step(s);
      const a = l(s);
      const b = r(s);
      s.pos = start;
      return f(s, a, b);
    },
    kind,
  };
}

function matcher(start: number, left: Ev, right: Ev): Ev {
  return (s) => {
    step(s);
    const v = left(s);
    const p = right(s);
    s.pos = start;
    if (typeof v !== 'string') operandError('matches', v);
    return toPattern(p, 'matches').matchesFully(v);
  };
}

function between(start: number, left: Ev, right: Ev): Ev {
  return (s) => {
    step(s);
    const v = left(s);
    const range = right(s);
    s.pos = start;
    if (!Array.isArray(range) || range.length !== 2)
      throw evalError('EL_TYPE_ERROR', 'The right operand of between must be a list of two elements');
    return compareValues(v, range[0]) >= 0 && compareValues(v, range[1]) <= 0;
  };
}
