import type { NumberKind } from './ast.js';
import { ElSyntaxError } from './errors.js';

export type TokenType = 'number' | 'string' | 'ident' | 'var' | 'op' | 'eof';

export interface Token {
  type: TokenType;
  /** Decoded value: the string content, the number, the identifier or variable name, or the operator text. */
  value: string | number;
  start: number;
  end: number;
  numberKind?: NumberKind;
}

/** Operators, longest first so that the scanner can take the first that matches. */
const OPERATORS = [
  '?.?[',
  '?.^[',
  '?.$[',
  '?.![',
  '.?[',
  '.^[',
  '.$[',
  '.![',
  '?.[',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '?.',
  '?:',
  '++',
  '--',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  ':',
  '.',
  '?',
  '<',
  '>',
  '=',
  '!',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
];

const MAX_INT = 2147483647;

const isDigit = (c: string) => c >= '0' && c <= '9';
const isIdentStart = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '$';
const isIdentPart = (c: string) => isIdentStart(c) || isDigit(c);
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/**
 * Splits `source.slice(start, end)` into tokens. Positions are offsets in the whole `source`, so that errors in a
 * template block point into the template.
 */
export function tokenize(source: string, start = 0, end = source.length): Token[] {
  const tokens: Token[] = [];
  const fail = (message: string, at: number): never => {
    throw new ElSyntaxError(message, at, source);
  };
  let i = start;
  while (i < end) {
    const c = source[i]!;
    if (isSpace(c)) {
      i++;
      continue;
    }
    const from = i;
    if (c === "'" || c === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= end) fail('Unterminated string literal', from);
        const ch = source[i]!;
        if (ch === c) {
          if (source[i + 1] === c && i + 1 < end) {
            value += c;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += ch;
        i++;
      }
      tokens.push({ type: 'string', value, start: from, end: i });
      continue;
    }
    if (isDigit(c)) {
      i = scanNumber(source, i, end, tokens, fail);
      continue;
    }
    if (isIdentStart(c)) {
      while (i < end && isIdentPart(source[i]!)) i++;
      tokens.push({ type: 'ident', value: source.slice(from, i), start: from, end: i });
      continue;
    }
    if (c === '#') {
      i++;
      while (i < end && isSpace(source[i]!)) i++;
      if (i >= end || !isIdentStart(source[i]!)) fail("Expected a variable or function name after '#'", from);
      const nameStart = i;
      while (i < end && isIdentPart(source[i]!)) i++;
      tokens.push({ type: 'var', value: source.slice(nameStart, i), start: from, end: i });
      continue;
    }
    if (c === '@') fail('Bean references (@name) are not supported', from);
    if (c === '&' && source[i + 1] !== '&') fail('Factory bean references (&name) are not supported', from);
    if (c === '|' && source[i + 1] !== '|') fail("Unexpected character '|' (did you mean '||'?)", from);
    const op = OPERATORS.find((o) => source.startsWith(o, i) && i + o.length <= end);
    if (op === undefined) fail(`Unexpected character '${c}'`, from);
    i += op!.length;
    tokens.push({ type: 'op', value: op!, start: from, end: i });
  }
  tokens.push({ type: 'eof', value: '', start: end, end });
  return tokens;
}

function scanNumber(
  source: string,
  from: number,
  end: number,
  tokens: Token[],
  fail: (message: string, at: number) => never,
): number {
  let i = from;
  let kind: NumberKind = 'int';
  let value: number;
  if (source[i] === '0' && (source[i + 1] === 'x' || source[i + 1] === 'X')) {
    i += 2;
    const digitsStart = i;
    while (i < end && /[0-9a-fA-F]/.test(source[i]!)) i++;
    if (i === digitsStart) fail('Invalid hexadecimal literal', from);
    value = Number.parseInt(source.slice(digitsStart, i), 16);
    if (source[i] === 'l' || source[i] === 'L') i++;
  } else {
    while (i < end && isDigit(source[i]!)) i++;
    if (source[i] === '.' && i + 1 < end && isDigit(source[i + 1]!)) {
      kind = 'double';
      i++;
      while (i < end && isDigit(source[i]!)) i++;
    }
    if (source[i] === 'e' || source[i] === 'E') {
      let j = i + 1;
      if (source[j] === '+' || source[j] === '-') j++;
      if (j < end && isDigit(source[j]!)) {
        kind = 'double';
        i = j;
        while (i < end && isDigit(source[i]!)) i++;
      }
    }
    const text = source.slice(from, i);
    value = Number(text);
    const suffix = source[i];
    if ((suffix === 'l' || suffix === 'L') && kind === 'int') {
      i++;
      if (!Number.isSafeInteger(value)) fail(`The long literal '${text}' is larger than 2^53 - 1`, from);
    } else if (suffix === 'd' || suffix === 'D' || suffix === 'f' || suffix === 'F') {
      kind = 'double';
      i++;
    } else if (kind === 'int' && value > MAX_INT) {
      fail(`The value '${text}' cannot be parsed as an int (add an 'L' suffix for a long)`, from);
    }
  }
  if (i < end && isIdentPart(source[i]!)) fail(`Invalid number literal '${source.slice(from, i + 1)}'`, from);
  tokens.push({ type: 'number', value, numberKind: kind, start: from, end: i });
  return i;
}
