import { describe, expect, it } from 'vitest';
import { compileExpression, createElContext, ElMultiValueMap, evaluate } from './index.js';

const run = (source: string, ctx: ReturnType<typeof createElContext>) => evaluate(compileExpression(source), ctx);

describe('createElContext', () => {
  it('derives the request path fields from path and context path', () => {
    const ctx = createElContext({
      request: { path: '/v2/store/MyStore', contextPath: '/v2/', params: { order: ['100'], tag: ['a b', 'c'] } },
    });
    expect(run('#request.pathInfo', ctx)).toBe('/store/MyStore');
    expect(run('#request.pathInfos', ctx)).toEqual(['', 'store', 'MyStore']);
    expect(run('#request.paths', ctx)).toEqual(['', 'v2', 'store', 'MyStore']);
    expect(run('#request.uri', ctx)).toBe('/v2/store/MyStore?order=100&tag=a%20b&tag=c');
    expect(run('#request.pathParams', ctx)).toEqual({});
    expect(typeof run('#request.timestamp', ctx)).toBe('number');
  });

  it.each([
    ['/v2', '/v2', ''],
    ['/v2/', '/v2', ''],
    ['/v2', '/v20/x', '/v20/x'],
    ['/', '/a/b', '/a/b'],
    ['', '/a', '/a'],
  ])('context path %j on path %j gives pathInfo %j', (contextPath, path, pathInfo) => {
    expect(run('#request.pathInfo', createElContext({ request: { path, contextPath } }))).toBe(pathInfo);
  });

  it('keeps given values over derived ones', () => {
    const ctx = createElContext({ request: { path: '/a/b', pathInfo: '/given', uri: '/a/b?x=1', timestamp: 5 } });
    expect(run('#request.pathInfo', ctx)).toBe('/given');
    expect(run('#request.pathInfos', ctx)).toEqual(['', 'given']);
    expect(run('#request.uri', ctx)).toBe('/a/b?x=1');
    expect(run('#request.timestamp', ctx)).toBe(5);
  });

  it('makes headers case-insensitive and params case-sensitive', () => {
    const ctx = createElContext({
      request: { headers: { 'X-Foo': ['a', 'b'], accept: '*/*' }, params: { Q: ['1'] } },
      response: { headers: new Map([['Content-Type', 'text/plain']]) },
      message: {
        headers: [
          ['x-id', '1'],
          ['X-ID', '2'],
        ],
      },
    });
    expect(run("#request.headers['x-foo']", ctx)).toEqual(['a', 'b']);
    expect(run("#request.headers['X-FOO'][1]", ctx)).toBe('b');
    expect(run('#request.headers.keySet()', ctx)).toEqual(['X-Foo', 'accept']);
    expect(run("#request.params['Q'][0]", ctx)).toBe('1');
    expect(run("#request.params['q']", ctx)).toBeNull();
    expect(run("#response.headers['content-type'][0]", ctx)).toBe('text/plain');
    expect(run("#message.headers['X-Id']", ctx)).toEqual(['1', '2']);
  });

  it('parses the body as JSON or XML only when asked', () => {
    const ctx = createElContext({ request: { content: 'not json' }, response: { content: '{"a": [1, 2]}' } });
    expect(run('#request.content', ctx)).toBe('not json');
    expect(run('#response.jsonContent.a[1]', ctx)).toBe(2);
    expect(() => run('#request.jsonContent', ctx)).toThrow(expect.objectContaining({ code: 'EL_FUNCTION_ERROR' }));
    expect(() => run('#request.xmlContent', ctx)).toThrow(expect.objectContaining({ code: 'EL_FUNCTION_ERROR' }));
    expect(run('#request.jsonContent', createElContext({ request: {} }))).toBeNull();
  });

  it('aliases #properties to the API properties', () => {
    const ctx = createElContext({ api: { id: 'a', properties: { p: 'v' } } });
    expect(run("#properties['p']", ctx)).toBe('v');
    expect(run("#api.properties['p']", ctx)).toBe('v');
    expect(
      run("#properties['p']", createElContext({ properties: { p: 'own' }, api: { properties: { p: 'v' } } })),
    ).toBe('own');
    expect(run("#properties?.['p']", createElContext({}))).toBeNull();
  });

  it('fills message defaults', () => {
    const ctx = createElContext({ message: { id: 'm', content: 'hello', attributes: { a: 1 } } });
    expect(run('#message.contentLength', ctx)).toBe(5);
    expect(run('#message.attributeNames', ctx)).toEqual(['a']);
    expect(run('#message.attributes.a', ctx)).toBe(1);
  });

  it('exposes extra variables and Maps', () => {
    const ctx = createElContext({
      context: { attributes: new Map<string, unknown>([['user-id', 'u1']]) },
      variables: { answer: 42, lazy: () => 'computed' },
    });
    expect(run("#context.attributes['user-id']", ctx)).toBe('u1');
    expect(run('#answer', ctx)).toBe(42);
    expect(run('#lazy', ctx)).toBe('computed');
    expect(run('#missing', ctx)).toBeNull();
  });
});

describe('ElMultiValueMap', () => {
  it('builds from records, entries, Maps and other multi-value maps', () => {
    const fromRecord = ElMultiValueMap.from({ a: 'x', b: ['y', 'z'], skipped: undefined, n: 1 });
    expect(fromRecord.get('b')).toEqual(['y', 'z']);
    expect(fromRecord.get('n')).toEqual(['1']);
    expect(fromRecord.has('skipped')).toBe(false);
    const copy = ElMultiValueMap.from(fromRecord, { caseInsensitive: true });
    expect(copy.getFirst('B')).toBe('y');
    expect(ElMultiValueMap.from([['k', 'v']]).get('k')).toEqual(['v']);
    expect(ElMultiValueMap.from(null).size).toBe(0);
    expect(ElMultiValueMap.from({ a: 'x' }).toSingleValueRecord()).toEqual({ a: 'x' });
    expect(Object.isFrozen(fromRecord.get('b'))).toBe(true);
  });
});
