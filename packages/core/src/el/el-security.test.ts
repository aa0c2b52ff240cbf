import { describe, expect, it } from 'vitest';
import {
  compileExpression,
  compileTemplate,
  createElContext,
  ElEvaluationError,
  ElSyntaxError,
  evaluate,
  evaluateCondition,
} from './index.js';

const big = Array.from({ length: 1000 }, (_, i) => i);
const ctx = createElContext({
  request: {
    headers: { 'X-Foo': 'bar' },
    content: '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": 1}}',
  },
  variables: {
    big,
    huge: Array.from({ length: 200_000 }, (_, i) => i),
    half: 'x'.repeat(600_000),
    key: '__proto__',
    ctorKey: 'constructor',
    obj: { a: 1 },
    date: new Date(0),
  },
});

function evalError(source: string, options?: Parameters<typeof evaluate>[2]): ElEvaluationError {
  try {
    evaluate(compileExpression(source), ctx, options);
  } catch (e) {
    if (e instanceof ElEvaluationError) return e;
    throw e;
  }
  throw new Error(`expected ${source} to fail`);
}

describe('refused names and types', () => {
  it.each([
    '#request.__proto__',
    '#request.constructor',
    "''.constructor",
    "''.constructor.constructor('return process')",
    "#request['__proto__']",
    "#request['constructor']",
    '#request.prototype',
    '#request?.__proto__',
    '#request.__defineGetter__',
    "#request.__lookupGetter__('x')",
    '#big.constructor()',
    '#__proto__',
    '#constructor',
    '__proto__',
    'constructor',
    '{a: 1}.constructor',
    'T(java.lang.Runtime)',
    "T(java.lang.Runtime).getRuntime().exec('id')",
    "T(java.lang.Class).forName('java.lang.Runtime')",
    'T(java.lang.System).exit(0)',
    'T(System).getenv()',
    'T(java.lang.ProcessBuilder)',
    'T(java.lang.Thread).sleep(100000)',
    "new java.lang.String('x')",
    "new java.io.File('/etc/passwd')",
  ])('%s is refused at compile time', (source) => {
    let error: unknown;
    try {
      compileExpression(source);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ElSyntaxError);
    expect((error as ElSyntaxError).code).toMatch(/EL_FORBIDDEN|EL_UNKNOWN_METHOD/);
  });

  it('gives a clear message for a refused type', () => {
    expect(() => compileExpression('T(java.lang.Runtime).getRuntime()')).toThrow(
      /Type 'java.lang.Runtime' is not allowed in expressions \(allowed: java.lang.Math, /,
    );
  });

  it('refuses dangerous dynamic keys at evaluation time', () => {
    expect(evalError('#request[#key]').code).toBe('EL_FORBIDDEN_MEMBER');
    expect(evalError('#obj[#ctorKey]').code).toBe('EL_FORBIDDEN_MEMBER');
    expect(evalError("#obj['__pro' + 'to__']").code).toBe('EL_FORBIDDEN_MEMBER');
  });

  it('never reads inherited JavaScript members', () => {
    const run = (s: string) => evaluate(compileExpression(s), ctx);
    expect(run("#obj['toString']")).toBeNull();
    expect(run('#obj.hasOwnProperty')).toBeNull();
    expect(run('#obj.valueOf')).toBeNull();
    expect(run("#request['toString']")).toBeNull();
    expect(evalError('#big.map').code).toBe('EL_FORBIDDEN_MEMBER');
    expect(evalError("'abc'.length").code).toBe('EL_FORBIDDEN_MEMBER');
    expect(evalError('#date.time').code).toBe('EL_FORBIDDEN_MEMBER');
    expect(() => compileExpression("'abc'.valueOf()")).toThrow(ElSyntaxError);
    expect(() => compileExpression('#date.getTime()')).toThrow(ElSyntaxError);
    expect(evalError('#date.toString()').code).toBe('EL_UNKNOWN_METHOD');
  });

  it('reads JSON keys named like prototype members as plain data, without polluting anything', () => {
    expect(evaluate(compileExpression('#request.jsonContent.polluted'), ctx)).toBeNull();
    expect(evaluate(compileExpression("#jsonPath(#request.content, '$.constructor.prototype')"), ctx)).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('step budget', () => {
  it('stops a nested projection over a large list', () => {
    const e = evalError('#big.![#big.![#this]]');
    expect(e.code).toBe('EL_BUDGET_EXCEEDED');
    expect(e.message).toContain('10000');
  });

  it('stops a selection over a large list', () => {
    expect(evalError('#huge.?[#this > 0]').code).toBe('EL_BUDGET_EXCEEDED');
  });

  it('stops a deep JSONPath scan', () => {
    const deep = createElContext({ variables: { doc: { items: Array.from({ length: 20_000 }, (_, i) => ({ i })) } } });
    expect(() => evaluate(compileExpression("#jsonPath(#doc, '$..i')"), deep)).toThrow(
      expect.objectContaining({ code: 'EL_BUDGET_EXCEEDED' }),
    );
  });

  it('is configurable per evaluation', () => {
    expect(evalError('1 + 1 + 1', { maxSteps: 3 }).code).toBe('EL_BUDGET_EXCEEDED');
    expect(evaluate(compileExpression('#big.![#this].size()'), ctx, { maxSteps: 5000 })).toBe(1000);
  });
});

describe('size limits', () => {
  it.each([
    "'x' * 2000000",
    "'ab'.repeat(1000000)",
    '#half + #half',
    '#half.concat(#half)',
    "#half.replace('x', 'xx')",
    "#half.replaceAll('x', 'yy')",
    '#half.toUpperCase() + #half',
    "T(String).format('%s%s', #half, #half)",
    "T(String).join(',', {#half, #half})",
    "#xmlEscape(#half.replace('x', '&'))",
  ])('%s exceeds the string limit', (source) => {
    expect(evalError(source).code).toBe('EL_SIZE_LIMIT_EXCEEDED');
  });

  it('limits produced collections', () => {
    expect(evalError('#huge.![#this]').code).toBe('EL_SIZE_LIMIT_EXCEEDED');
    expect(evalError("#half.split('')").code).toBe('EL_SIZE_LIMIT_EXCEEDED');
    expect(evalError("'abc'.toCharArray()", { maxCollectionSize: 2 }).code).toBe('EL_SIZE_LIMIT_EXCEEDED');
  });

  it('limits a concatenated template', () => {
    const t = compileTemplate('{#half}-{#half}');
    expect(() => evaluate(t, ctx)).toThrow(expect.objectContaining({ code: 'EL_SIZE_LIMIT_EXCEEDED' }));
    expect(evaluate(compileTemplate('{#half}'), ctx)).toHaveLength(600_000);
  });

  it('refuses an absurd format width', () => {
    expect(evalError("T(String).format('%999999999s', 'x')").code).toBe('EL_INVALID_ARGUMENT');
  });
});

describe('errors', () => {
  it('carry the expression, the position of the failing node and a stable code', () => {
    const source = "#request.headers['absent'][0]";
    const e = evalError(source);
    expect(e.code).toBe('EL_NULL_REFERENCE');
    expect(e.position).toBe(source.lastIndexOf('['));
    expect(e.expression).toBe(source);
  });

  it('point into the template for a block', () => {
    const template = "Hello {#request.headers['absent'][0]}!";
    try {
      evaluate(compileTemplate(template), ctx);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ElEvaluationError);
      expect((e as ElEvaluationError).position).toBe(template.lastIndexOf('['));
      expect((e as ElEvaluationError).expression).toBe(template);
    }
  });

  it('wrap a failing context provider', () => {
    const failing = createElContext({
      request: {
        content: () => {
          throw new TypeError('body not buffered');
        },
      },
    });
    expect(() => evaluate(compileExpression('#request.content'), failing)).toThrow(
      expect.objectContaining({ code: 'EL_CONTEXT_ERROR', message: expect.stringContaining('body not buffered') }),
    );
  });

  it('make conditions fail on non-boolean values', () => {
    expect(() => evaluateCondition(compileTemplate('{(42)}'), ctx)).toThrow(
      expect.objectContaining({ code: 'EL_NOT_BOOLEAN' }),
    );
  });
});

describe('laziness', () => {
  it('computes only the values an expression reads, once', () => {
    const calls: string[] = [];
    const lazyCtx = createElContext({
      request: {
        method: () => {
          calls.push('method');
          return 'GET';
        },
        content: () => {
          calls.push('content');
          return 'body';
        },
        headers: () => {
          calls.push('headers');
          return { 'x-a': '1' };
        },
      },
      context: () => {
        calls.push('context');
        return { attributes: { a: 1 } };
      },
    });
    const expr = compileExpression("#request.method == 'GET' && #request.method != 'POST'");
    expect(evaluate(expr, lazyCtx)).toBe(true);
    expect(evaluate(expr, lazyCtx)).toBe(true);
    expect(calls).toEqual(['method']);
    expect(evaluate(compileExpression("#request.headers['X-A'][0]"), lazyCtx)).toBe('1');
    expect(calls).toEqual(['method', 'headers']);
  });

  it('lists the references of an expression, so the gateway knows whether it needs the body', () => {
    expect(compileExpression("#request.content.length() > 0 && #context.attributes['a'] == 1").references).toEqual([
      'context',
      'context.attributes',
      'request',
      'request.content',
    ]);
    expect(compileTemplate("{#jsonPath(#request.content, '$.a')}-{#response.status}").references).toEqual([
      'request',
      'request.content',
      'response',
      'response.status',
    ]);
  });
});
