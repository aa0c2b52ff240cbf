import { describe, expect, it } from 'vitest';
import {
  compileExpression,
  compileTemplate,
  createElContext,
  ElEvaluationError,
  ElSyntaxError,
  evaluate,
  validateExpression,
  validateTemplate,
} from './index.js';

/** [source, position, part of the message, code] */
type SyntaxRow = readonly [string, number, string, string?];

function syntaxErrorOf(compile: () => unknown): ElSyntaxError {
  try {
    compile();
  } catch (e) {
    if (e instanceof ElSyntaxError) return e;
    throw e;
  }
  throw new Error('expected an ElSyntaxError');
}

describe('syntax errors in expressions', () => {
  const rows: SyntaxRow[] = [
    ['', 0, 'Empty expression'],
    ['   ', 3, 'Empty expression'],
    ["#request.headers['x'", 20, "Expected ']'"],
    ['#request.headers[', 17, 'Unexpected end of expression'],
    ['1 +', 3, 'Unexpected end of expression'],
    ['(1 + 2', 6, "Expected ')'"],
    ["'abc", 0, 'Unterminated string literal'],
    ['"abc', 0, 'Unterminated string literal'],
    ['#', 0, "after '#'"],
    ['a ? b', 5, "Expected ':'"],
    ['1 2', 2, 'Unexpected number 2'],
    ['#request.', 9, 'Expected a property or method name'],
    ['{1, 2', 5, "Expected '}'"],
    ['{a: 1, b}', 8, "Expected ':'"],
    ['foo(1,', 6, 'Unexpected end of expression'],
    ['3000000000', 0, 'cannot be parsed as an int'],
    ['12abc', 0, 'Invalid number literal'],
    ['a | b', 2, "'||'"],
    ['a ~ b', 2, "Unexpected character '~'"],
    ['T(', 2, 'Expected a type name'],
    ['#a = 1', 3, 'Assignment is not supported', 'EL_FORBIDDEN'],
    ['#a++', 2, 'not supported', 'EL_FORBIDDEN'],
    ['--#a', 0, 'not supported', 'EL_FORBIDDEN'],
    ['new java.lang.Thread()', 0, 'Constructors', 'EL_FORBIDDEN'],
    ['@bean.foo', 0, 'Bean references', 'EL_SYNTAX_ERROR'],
    ['&factory', 0, 'Factory bean references'],
    ["'x' instanceof T(String)", 4, 'instanceof', 'EL_FORBIDDEN'],
    ['#foo()', 0, "Unknown function '#foo()'", 'EL_UNKNOWN_METHOD'],
    ["'x'.frobnicate()", 3, "Unknown method 'frobnicate()'", 'EL_UNKNOWN_METHOD'],
    ["#jsonPath('{}')", 0, 'takes 2 arguments'],
    ['T(java.lang.Runtime).getRuntime()', 0, "Type 'java.lang.Runtime' is not allowed", 'EL_FORBIDDEN'],
    ['T(Math).exit(0)', 7, "no allowed method 'exit()'", 'EL_FORBIDDEN'],
    ['T(Math).FOO', 7, "no static field 'FOO'", 'EL_FORBIDDEN'],
    ['T(Math).max(1)', 7, 'takes 2 arguments'],
    ["'a'.matches('[')", 12, 'Invalid regular expression'],
    ["'a' matches 'a++'", 12, 'Invalid regular expression'],
    ["'a'.replaceAll('(?x)a', '')", 15, 'not supported'],
    ["#jsonPath(#x, '$.a[')", 19, 'Invalid path in #jsonPath()'],
    ["#jsonPath(#x, 'a.b')", 15, "starts with '$'"],
    ["#xpath(#x, '/a/[')", 15, 'Invalid path in #xpath()'],
  ];
  for (const [source, position, message, code = 'EL_SYNTAX_ERROR'] of rows)
    it(`${JSON.stringify(source)} fails at ${position}`, () => {
      const e = syntaxErrorOf(() => compileExpression(source));
      expect(e.message).toContain(message);
      expect(e.position).toBe(position);
      expect(e.code).toBe(code);
      expect(e.expression).toBe(source);
      expect(validateExpression(source)).toEqual({ ok: false, position, message: e.message, code });
    });

  it('refuses nesting that would exhaust the stack, as a syntax error', () => {
    expect(syntaxErrorOf(() => compileExpression(`${'('.repeat(300)}1${')'.repeat(300)}`)).message).toContain('nested');
    expect(syntaxErrorOf(() => compileExpression(`#a${'.b'.repeat(2000)}`)).message).toContain('nested');
    expect(syntaxErrorOf(() => compileExpression(Array(2000).fill('1').join('+'))).message).toContain('nested');
    expect(syntaxErrorOf(() => compileExpression(`${'!'.repeat(500)}true`)).message).toContain('nested');
  });
});

describe('syntax errors in templates', () => {
  const rows: SyntaxRow[] = [
    ["Hello {#request.headers['x'}", 27, "Found closing '}' but expected ']'"],
    ['Hello {#request.id', 6, "Missing closing '}'"],
    ['{#a)}', 3, "Found closing ')' without an opening bracket"],
    ["a {#request.headers['x'] + } b", 27, 'Unexpected end of expression'],
    ['x {#a.} y', 6, 'Expected a property or method name'],
    ["{#a == 'unterminated}", 7, 'Unterminated string literal'],
    ['ok {#a} then {(1 +)}', 18, "Unexpected ')'"],
    ['{T(java.lang.Runtime).getRuntime()}', 1, 'is not allowed', 'EL_FORBIDDEN'],
  ];
  for (const [template, position, message, code = 'EL_SYNTAX_ERROR'] of rows)
    it(`${JSON.stringify(template)} fails at ${position}`, () => {
      const e = syntaxErrorOf(() => compileTemplate(template));
      expect(e.message).toContain(message);
      expect(e.position).toBe(position);
      expect(e.code).toBe(code);
      expect(e.expression).toBe(template);
      expect(validateTemplate(template)).toMatchObject({ ok: false, position, code });
    });

  it('accepts valid templates', () => {
    expect(validateTemplate("{#request.headers['x'][0]} and {#context.attributes['a']}")).toEqual({ ok: true });
    expect(validateTemplate('plain text with {"json": true}')).toEqual({ ok: true });
    expect(validateExpression("#request.method == 'GET'")).toEqual({ ok: true });
  });
});

describe('robustness: any input compiles or fails with ElSyntaxError, and evaluates or fails with ElEvaluationError', () => {
  const pieces = [
    '#request',
    '.headers',
    "['x']",
    '[0]',
    '.',
    '(',
    ')',
    '{',
    '}',
    '[',
    ']',
    ',',
    ':',
    '?',
    '?:',
    '?.',
    '.?[',
    '.![',
    '.^[',
    '.$[',
    '==',
    '!=',
    '<',
    '>=',
    '&&',
    '||',
    '!',
    '+',
    '-',
    '*',
    '/',
    '%',
    '^',
    "'s'",
    '"d"',
    "'",
    '1',
    '2.5',
    '10L',
    'true',
    'null',
    'and',
    'or',
    'not',
    'matches',
    'between',
    '#this',
    '#list',
    'T(Math)',
    '.max(1,2)',
    '.size()',
    '.length()',
    '#jsonPath(',
    "'$.a'",
    '#xpath(',
    'x',
    ' ',
    '#',
    '__proto__',
    'constructor',
    '=',
    '@',
    '&',
    '|',
    'new ',
  ];
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const inputs = Array.from({ length: 3000 }, () =>
    Array.from({ length: 1 + Math.floor(random() * 12) }, () => pieces[Math.floor(random() * pieces.length)]).join(''),
  );
  const ctx = createElContext({
    request: { headers: { x: 'y' }, content: '{"a":1}' },
    variables: { list: [1, 2, 3] },
  });

  it('for bare expressions', () => {
    for (const input of inputs) {
      let compiled: ReturnType<typeof compileExpression>;
      try {
        compiled = compileExpression(input);
      } catch (e) {
        expect(e, input).toBeInstanceOf(ElSyntaxError);
        continue;
      }
      try {
        evaluate(compiled, ctx);
      } catch (e) {
        expect(e, input).toBeInstanceOf(ElEvaluationError);
      }
    }
  });

  it('for templates', () => {
    for (const input of inputs) {
      const template = `a{${input}}b{ ${input} }`;
      let compiled: ReturnType<typeof compileTemplate>;
      try {
        compiled = compileTemplate(template);
      } catch (e) {
        expect(e, template).toBeInstanceOf(ElSyntaxError);
        continue;
      }
      try {
        evaluate(compiled, ctx);
      } catch (e) {
        expect(e, template).toBeInstanceOf(ElEvaluationError);
      }
    }
  });
});
