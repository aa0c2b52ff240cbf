import type { BinaryOperator, Node, SelectionMode } from './ast.js';
import { ElSyntaxError } from './errors.js';
import { type Token, tokenize } from './lexer.js';

/** Deepest nesting of sub-expressions accepted; deeper input is refused instead of exhausting the stack. */
export const MAX_NESTING = 128;

const TERNARY = 10;
const PREFIX = 80;

/** Infix operators by token text (symbols, and SpEL's case-insensitive textual forms). */
const INFIX: Record<string, { op: BinaryOperator; bp: number }> = {
  '||': { op: 'or', bp: 20 },
  or: { op: 'or', bp: 20 },
  '&&': { op: 'and', bp: 30 },
  and: { op: 'and', bp: 30 },
  '==': { op: '==', bp: 40 },
  eq: { op: '==', bp: 40 },
  '!=': { op: '!=', bp: 40 },
  ne: { op: '!=', bp: 40 },
  '<': { op: '<', bp: 40 },
  lt: { op: '<', bp: 40 },
  '<=': { op: '<=', bp: 40 },
  le: { op: '<=', bp: 40 },
  '>': { op: '>', bp: 40 },
  gt: { op: '>', bp: 40 },
  '>=': { op: '>=', bp: 40 },
  ge: { op: '>=', bp: 40 },
  matches: { op: 'matches', bp: 40 },
  between: { op: 'between', bp: 40 },
  '+': { op: '+', bp: 50 },
  '-': { op: '-', bp: 50 },
  '*': { op: '*', bp: 60 },
  '/': { op: '/', bp: 60 },
  div: { op: '/', bp: 60 },
  '%': { op: '%', bp: 60 },
  mod: { op: '%', bp: 60 },
  '^': { op: '^', bp: 70 },
};

const SELECTIONS: Record<string, { mode: SelectionMode; safe: boolean }> = {
  '.?[': { mode: 'all', safe: false },
  '.^[': { mode: 'first', safe: false },
  '.$[': { mode: 'last', safe: false },
  '?.?[': { mode: 'all', safe: true },
  '?.^[': { mode: 'first', safe: true },
  '?.$[': { mode: 'last', safe: true },
};

/**
 * Parses the SpEL expression in `source.slice(start, end)` into an AST. Positions in nodes and errors are offsets in
 * `source`. Throws only `ElSyntaxError`.
 *
 * @example
 * const ast = parseExpression("#request.headers['x'][0] == 'a'");
 */
export function parseExpression(source: string, start = 0, end = source.length): Node {
  return new Parser(source, tokenize(source, start, end)).parseAll();
}

class Parser {
  #i = 0;
  #depth = 0;

  constructor(
    readonly source: string,
    readonly tokens: Token[],
  ) {}

  parseAll(): Node {
    if (this.#peek().type === 'eof') this.#fail('Empty expression', this.#peek());
    const node = this.#expression(0);
    const t = this.#peek();
    if (t.type !== 'eof') this.#fail(`Unexpected ${describe(t)}`, t);
    return node;
  }

  #peek(offset = 0): Token {
    return this.tokens[Math.min(this.#i + offset, this.tokens.length - 1)]!;
  }

  #next(): Token {
    const t = this.#peek();
    if (t.type !== 'eof') this.#i++;
    return t;
  }

  #isOp(value: string, offset = 0): boolean {
    const t = this.#peek(offset);
    return t.type === 'op' && t.value === value;
  }

  #expect(value: string, context: string): Token {
    const t = this.#peek();
    if (t.type !== 'op' || t.value !== value) this.#fail(`Expected '${value}' ${context} but found ${describe(t)}`, t);
    return this.#next();
  }

  #fail(message: string, at: Token | number, code?: 'EL_FORBIDDEN'): never {
    const position = typeof at === 'number' ? at : at.start;
    throw new ElSyntaxError(message, position, this.source, code);
  }

  #expression(rbp: number): Node {
    if (++this.#depth > MAX_NESTING)
      this.#fail(`Expression is nested more than ${MAX_NESTING} levels deep`, this.#peek());
    let left = this.#prefix();
    for (;;) {
      const t = this.#peek();
      const postfix = this.#postfix(left, t);
      if (postfix !== null) {
        left = postfix;
        continue;
      }
      const infix = infixOf(t);
      if (infix === null) {
        if (t.type === 'op' && t.value === '?' && TERNARY > rbp) {
          this.#next();
          const consequent = this.#expression(0);
          this.#expect(':', 'in a ternary expression');
          left = { type: 'ternary', start: t.start, test: left, consequent, alternate: this.#expression(TERNARY - 1) };
          continue;
        }
        if (t.type === 'op' && t.value === '?:' && TERNARY > rbp) {
          this.#next();
          left = { type: 'elvis', start: t.start, left, right: this.#expression(TERNARY - 1) };
          continue;
        }
        this.#refuseOperator(t);
        break;
      }
      if (infix.bp <= rbp) break;
      this.#next();
      const right = this.#expression(infix.op === '^' ? infix.bp - 1 : infix.bp);
      left = { type: 'binary', start: t.start, op: infix.op, left, right };
    }
    this.#depth--;
    return left;
  }

  #refuseOperator(t: Token): void {
    if (t.type === 'op' && t.value === '=') this.#fail('Assignment is not supported', t, 'EL_FORBIDDEN');
    if (t.type === 'op' && (t.value === '++' || t.value === '--'))
      this.#fail(`The ${t.value} operator is not supported`, t, 'EL_FORBIDDEN');
    if (t.type === 'ident' && String(t.value).toLowerCase() === 'instanceof')
      this.#fail('The instanceof operator is not supported', t, 'EL_FORBIDDEN');
  }

  #postfix(target: Node, t: Token): Node | null {
    if (t.type !== 'op') return null;
    const v = t.value as string;
    if (v === '.' || v === '?.') {
      this.#next();
      const name = this.#next();
      if (name.type !== 'ident') this.#fail(`Expected a property or method name after '${v}'`, name);
      const safe = v === '?.';
      if (this.#isOp('(')) {
        return { type: 'method', start: t.start, target, name: name.value as string, args: this.#args(), safe };
      }
      return { type: 'property', start: t.start, target, name: name.value as string, safe };
    }
    if (v === '[' || v === '?.[') {
      this.#next();
      const index = this.#expression(0);
      this.#expect(']', 'to close the index');
      return { type: 'index', start: t.start, target, index, safe: v === '?.[' };
    }
    const selection = SELECTIONS[v];
    if (selection !== undefined) {
      this.#next();
      const predicate = this.#expression(0);
      this.#expect(']', 'to close the selection');
      return { type: 'selection', start: t.start, target, predicate, ...selection };
    }
    if (v === '.![' || v === '?.![') {
      this.#next();
      const expression = this.#expression(0);
      this.#expect(']', 'to close the projection');
      return { type: 'projection', start: t.start, target, expression, safe: v === '?.![' };
    }
    return null;
  }

  #args(): Node[] {
    this.#expect('(', 'to open the arguments');
    const args: Node[] = [];
    if (this.#isOp(')')) {
      this.#next();
      return args;
    }
    for (;;) {
      args.push(this.#expression(0));
      if (this.#isOp(',')) {
        this.#next();
        continue;
      }
      this.#expect(')', 'to close the arguments');
      return args;
    }
  }

  #prefix(): Node {
    const t = this.#next();
    switch (t.type) {
      case 'number':
        return { type: 'literal', start: t.start, value: t.value, numberKind: t.numberKind ?? 'int' };
      case 'string':
        return { type: 'literal', start: t.start, value: t.value };
      case 'var':
        if (this.#isOp('(')) return { type: 'function', start: t.start, name: t.value as string, args: this.#args() };
        return { type: 'variable', start: t.start, name: t.value as string };
      case 'ident':
        return this.#identifier(t);
      case 'eof':
        return this.#fail('Unexpected end of expression', t);
      default:
        return this.#prefixOperator(t);
    }
  }

  #identifier(t: Token): Node {
    const name = t.value as string;
    const lower = name.toLowerCase();
    if (lower === 'true' || lower === 'false') return { type: 'literal', start: t.start, value: lower === 'true' };
    if (lower === 'null') return { type: 'literal', start: t.start, value: null };
    if (lower === 'not') return { type: 'unary', start: t.start, op: '!', operand: this.#expression(PREFIX) };
    if (name === 'T' && this.#isOp('(')) return this.#typeReference(t);
    if (lower === 'new' && this.#peek().type === 'ident')
      this.#fail('Constructors (new ...) are not supported', t, 'EL_FORBIDDEN');
    if (this.#isOp('(')) return { type: 'method', start: t.start, target: null, name, args: this.#args(), safe: false };
    return { type: 'identifier', start: t.start, name };
  }

  #typeReference(t: Token): Node {
    this.#next();
    const parts: string[] = [];
    for (;;) {
      const part = this.#next();
      if (part.type !== 'ident') this.#fail('Expected a type name in T(...)', part);
      parts.push(part.value as string);
      if (!this.#isOp('.')) break;
      this.#next();
    }
    this.#expect(')', 'to close the type reference');
    return { type: 'type', start: t.start, typeName: parts.join('.') };
  }

  #prefixOperator(t: Token): Node {
    switch (t.value) {
      case '(': {
        const inner = this.#expression(0);
        this.#expect(')', 'to close the parenthesis');
        return inner;
      }
      case '{':
        return this.#inlineCollection(t);
      case '!':
        return { type: 'unary', start: t.start, op: '!', operand: this.#expression(PREFIX) };
      case '-':
      case '+':
        return { type: 'unary', start: t.start, op: t.value, operand: this.#expression(PREFIX) };
      case '++':
      case '--':
        return this.#fail(`The ${t.value} operator is not supported`, t, 'EL_FORBIDDEN');
      default:
        return this.#fail(`Unexpected ${describe(t)}`, t);
    }
  }

  /** `{}` (empty list), `{:}` (empty map), `{a, b}` (list) or `{k: v, ...}` (map). */
  #inlineCollection(open: Token): Node {
    if (this.#isOp('}')) {
      this.#next();
      return { type: 'list', start: open.start, items: [] };
    }
    if (this.#isOp(':') && this.#isOp('}', 1)) {
      this.#next();
      this.#next();
      return { type: 'map', start: open.start, entries: [] };
    }
    const first = this.#expression(0);
    if (this.#isOp(':')) {
      const entries: { key: Node; value: Node }[] = [];
      let key = first;
      for (;;) {
        this.#expect(':', 'after a map key');
        const keyNode: Node = key.type === 'identifier' ? { type: 'literal', start: key.start, value: key.name } : key;
        entries.push({ key: keyNode, value: this.#expression(0) });
        if (!this.#isOp(',')) break;
        this.#next();
        key = this.#expression(0);
      }
      this.#expect('}', 'to close the map');
      return { type: 'map', start: open.start, entries };
    }
    const items = [first];
    while (this.#isOp(',')) {
      this.#next();
      items.push(this.#expression(0));
    }
    this.#expect('}', 'to close the list');
    return { type: 'list', start: open.start, items };
  }
}

function infixOf(t: Token): { op: BinaryOperator; bp: number } | null {
  if (t.type === 'op') return Object.hasOwn(INFIX, t.value) ? INFIX[t.value as string]! : null;
  if (t.type === 'ident') {
    const lower = (t.value as string).toLowerCase();
    return Object.hasOwn(INFIX, lower) && /^[a-z]+$/.test(lower) ? INFIX[lower]! : null;
  }
  return null;
}

function describe(t: Token): string {
  switch (t.type) {
    case 'eof':
      return 'end of expression';
    case 'string':
      return 'string literal';
    case 'number':
      return `number ${t.value}`;
    case 'var':
      return `'#${t.value}'`;
    default:
      return `'${t.value}'`;
  }
}
