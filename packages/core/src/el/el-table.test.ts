import { describe, expect, it } from 'vitest';
import {
  compileExpression,
  compileTemplate,
  createElContext,
  ElEvaluationError,
  ElMultiValueMap,
  evaluate,
} from './index.js';

const BOOKS = {
  store: {
    book: [
      { category: 'reference', author: 'Nigel Rees', title: 'Sayings of the Century', price: 8.95 },
      { category: 'fiction', author: 'Herman Melville', title: 'Moby Dick', isbn: '0-553-21311-3', price: 8.99 },
      {
        category: 'fiction',
        author: 'J. R. R. Tolkien',
        title: 'The Lord of the Rings',
        isbn: '0-395-19395-8',
        price: 22.99,
      },
    ],
    bicycle: { color: 'red', price: 19.95 },
  },
};
const principal = (dn: string, o: string) => ({
  dn,
  o,
  defined: true,
  attributes: ElMultiValueMap.from(
    { ou: ['Test team', 'Dev team', 'Ops team'], '1.2.3.4': 'custom' },
    { caseInsensitive: true },
  ),
});

/** The context every row of the table evaluates against. */
const ctx = createElContext({
  request: {
    id: 'req-1',
    transactionId: 'tx-1',
    method: 'GET',
    scheme: 'https',
    host: 'api.example.com',
    path: '/v2/store/MyStore',
    contextPath: '/v2/',
    version: 'HTTP_1_1',
    remoteAddress: '10.0.0.7',
    localAddress: '0:0:0:0:0:0:0:1',
    timestamp: 1602781000267,
    headers: {
      'Content-Type': 'application/json',
      'X-Forwarded-For': '10.1.2.3',
      'X-Multi': ['a', 'b'],
      'my-header': 'my-value',
      'X-Gravitee-Endpoint': 'true',
    },
    params: { q: ['search'], order: ['100'], multi: ['x', 'y'] },
    pathParams: { storeId: 'MyStore' },
    content: JSON.stringify(BOOKS),
    ssl: {
      clientHost: 'client.domain.com',
      clientPort: 443,
      client: principal('CN=client', 'Client Org'),
      server: principal('CN=server', 'Gravitee'),
    },
  },
  response: { status: 404, headers: { 'X-Custom': 'myvalue' }, content: '<foo><bar>something</bar></foo>' },
  context: {
    attributes: {
      api: 'my-api',
      plan: 'plan-1',
      'user-id': 'u-42',
      application: 'app-1',
      user: { email: 'ada@example.com' },
      count: 3,
      flag: true,
      'api-key': null,
    },
  },
  api: {
    id: 'api-1',
    name: 'Store',
    version: '1.0',
    properties: { 'my-property': 'my-value', backend: 'https://backend', 'my-secret': 's3cret' },
  },
  dictionaries: { 'my-dictionary-id': { 'dict-key': 'dict-value' } },
  endpoints: { default: 'https://default.example.com' },
  node: {
    id: 'node-1',
    version: '4.0.0',
    tenant: 'Europe',
    zone: 'europe-west-2',
    shardingTags: ['internal', 'external'],
  },
  subscription: { id: 'sub-1', application: 'app-1', plan: 'plan-1' },
  message: {
    id: 'm-1',
    content: 'hello',
    headers: { 'Content-Type': 'text/plain' },
    attributes: { 'x-attr': 'v' },
    error: false,
  },
  variables: {
    list: [1, 2, 3, 4, 5],
    words: ['banana', 'apple', 'cherry'],
    people: [
      { name: 'Ada', age: 36 },
      { name: 'Alan', age: 41 },
      { name: 'Grace', age: 85 },
    ],
    map: new Map<string, unknown>([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]),
    profile: JSON.stringify({
      lastname: 'DOE',
      firstname: 'JOHN',
      age: 35,
      groups: ['Group1', 'Group2'],
      emptiness: [],
      nothingness: null,
    }),
    xml: '<?xml version="1.0"?><root><lastname>DOE</lastname><firstname>JOHN</firstname><age>35</age><items><item id="1" type="a">first</item><item id="2" type="b">second</item></items></root>',
    nothing: null,
    empty: '',
  },
});
type Row = readonly [source: string, expected: unknown];
const err = (code: string) => ({ error: code });

function run(source: string, mode: 'template' | 'expression'): unknown {
  const compiled = mode === 'template' ? compileTemplate(source) : compileExpression(source);
  try {
    return evaluate(compiled, ctx);
  } catch (e) {
    if (e instanceof ElEvaluationError) return { error: e.code };
    throw e;
  }
}

/** Each row evaluates `source` (a template, or a bare expression) and compares with `expected` or `{ error: code }`. */
function check(rows: readonly Row[], mode: 'template' | 'expression' = 'expression') {
  it.each(rows)('%s', (source, expected) => {
    expect(run(source, mode)).toEqual(expected);
  });
}
describe('examples of the Gravitee EL documentation', () => {
  check(
    [
      ["{#request.headers['Content-Type'][0]}", 'application/json'],
      ["{#request.headers['content-type']}", ['application/json']],
      ["{#request.headers['my-header']}", ['my-value']],
      ["{#request.params['q'][0]}", 'search'],
      ["{#request.params['order']}", ['100']],
      ['{#request.paths[1]}', 'v2'],
      ['{#request.pathInfos[2]}', 'MyStore'],
      ['{#request.pathInfo}', '/store/MyStore'],
      ['{#request.contextPath}', '/v2/'],
      ['{#request.id}', 'req-1'],
      ['{#request.scheme}', 'https'],
      ["{#request.pathParams['storeId']}", 'MyStore'],
      ["{#context.attributes['user'].email}", 'ada@example.com'],
      ["{#context.attributes['user-id']}", 'u-42'],
      ["{#context.attributes['plan']}", 'plan-1'],
      ["{#context.attributes['api']}", 'my-api'],
      ["{#api.properties['my-property']}", 'my-value'],
      ["{#api.properties['my-secret']}", 's3cret'],
      ["{#properties['backend']}", 'https://backend'],
      ["{#dictionaries['my-dictionary-id']['dict-key']}", 'dict-value'],
      ["{#endpoints['default']}", 'https://default.example.com'],
      ['{#request.ssl.clientHost}', 'client.domain.com'],
      ['{#request.ssl.client.dn}', 'CN=client'],
      ['{#request.ssl.server.o}', 'Gravitee'],
      ["{#request.ssl.server.attributes['ou'][0]}", 'Test team'],
      ["{#request.ssl.server.attributes['OU'][1]}", 'Dev team'],
      ["{#request.ssl.server.attributes['Ou'][2]}", 'Ops team'],
      ["{#request.ssl.client.attributes['1.2.3.4'][0]}", 'custom'],
      ['{#request.ssl.client.defined}', true],
      ['{#response.status}', 404],
      ["{#message.headers['content-type']}", ['text/plain']],
      ['{#message.contentLength}', 5],
      ["{#message.attributes['x-attr']}", 'v'],
      ['{#node.version}', '4.0.0'],
      ["{#request.headers[#api.properties['my-property'] == 'my-value' ? 'my-header' : 'x']}", ['my-value']],
      ["{#request.headers['my-header'] != null && #request.headers['my-header'][0] == \"my-value\"}", true],
      ["{('my-value'.equals(#request.headers['my-header'][0]))}", true],
      ["{('my-value'.equals(#request.headers['absent']))}", false],
      ['{#request.content.length() >= 10}', true],
      ['{(#request.content.length() > 0)}', true],
      ["{#jsonPath(#request.content, '$.store.book[0].title')}", 'Sayings of the Century'],
      ['{#jsonPath(#request.content, "$.store.book[?(@.title==\'The Lord of the Rings\')].price")}', [22.99]],
      ['{#request.jsonContent.store.bicycle.color}', 'red'],
      ['{#response.xmlContent.foo.bar}', 'something'],
      ["{({'admin', 'writer'})}", ['admin', 'writer']],
      [
        "{#request.headers['X-Forwarded-For'] != null && #request.headers['X-Forwarded-For'][0].startsWith('10.')}",
        true,
      ],
      ['{#request.timestamp <= 1709737299215l}', true],
      ['{#response.status >= 400}', true],
      ['{#response.status >= 200 && #response.status < 300}', false],
      ["{#request.method == 'GET'}", true],
      ["{#request.params['q'] != null && #request.pathInfos[1] == 'store'}", true],
      ["{#request.params['absent'] != null && #request.pathInfos[1] == 'v2'}", false],
      ["{#context.attributes['user-id'] == null ? 'anonymous' : #context.attributes['user-id']}", 'u-42'],
      ["{#context.attributes['nobody'] == null ? 'anonymous' : #context.attributes['nobody']}", 'anonymous'],
      [
        "{#context.attributes['api']}_{#context.attributes['plan']}_{#context.attributes['user-id']}",
        'my-api_plan-1_u-42',
      ],
      ["{#request.headers['X-Gravitee-Endpoint'] + '-custom'}", 'true-custom'],
      ["custom-{#request.headers['X-Gravitee-Endpoint']}", 'custom-true'],
      ["{#request.headers['X-Multi']}", ['a', 'b']],
      ["x={#request.headers['X-Multi']}", 'x=a,b'],
      ["{#request.headers.getFirst('x-multi')}", 'a'],
      ["{#request.headers.containsAllKeys({'Content-Type', 'my-header'})}", true],
      ['{#request.params.q}', ['search']],
      ['{#context.attributes.plan}', 'plan-1'],
      ['{#context.attributes.application}', 'app-1'],
      ['{#context.attributes.missing}', null],
      ['{ (#timestamp > 2) && (#timestamp < 2) }', false],
      ["{ #request.headers['X-Gravitee-Endpoint'][0] }", 'true'],
      ["{#jsonPath(#profile, '$.groups').contains('Group2')}", true],
      ["{#jsonPath(#profile, '$.emptiness').contains('Group4')}", false],
      ["{#jsonPath(#profile, '$.nothingness')?.contains('Group4')?:false}", false],
      ["{#jsonPath(#profile, '$.lastname') == 'DOE'}", true],
      ["{#jsonPath(#profile, '$.age') + 20}", 55],
      ["{#jsonPath(#profile, '$.something')}", null],
      ["{#xpath(#xml, './/lastname')}", 'DOE'],
      ["{#xpath(#xml, './/age', 'number') + 20}", 55],
      ["{#xpath(#xml, './/something')}", ''],
      [
        "<user><id>{#request.paths[2]}</id><name>{#properties['my-property']}</name></user>",
        '<user><id>store</id><name>my-value</name></user>',
      ],
      ['[{id: {#request.paths[2]}, age: 0}]', '[{id: store, age: 0}]'],
      ['{\n  "status": "OK"\n}', '{\n  "status": "OK"\n}'],
      ["{#request.pathInfo.matches('^\\/store\\/[A-Za-z]+$')}", true],
    ],
    'template',
  );
});

describe('literals', () => {
  check([
    ['42', 42],
    ['1709737299215l', 1709737299215],
    ['1709737299215L', 1709737299215],
    ['1.5', 1.5],
    ['1.5d', 1.5],
    ['2f', 2],
    ['1e3', 1000],
    ['0x1F', 31],
    ["'it''s'", "it's"],
    ['"say ""hi"""', 'say "hi"'],
    ["'back\\slash'", 'back\\slash'],
    ['true', true],
    ['FALSE', false],
    ['null', null],
    ['{1, 2, 3}', [1, 2, 3]],
    ['{}', []],
    [
      "{a: 1, 'b': 2}",
      new Map<unknown, unknown>([
        ['a', 1],
        ['b', 2],
      ]),
    ],
    ['{:}', new Map()],
    ["{'k': {1, 2}}.get('k')[1]", 2],
  ]);
});

describe('operators', () => {
  check([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['7 / 2', 3],
    ['-7 / 2', -3],
    ['7.0 / 2', 3.5],
    ['7 / 2.0', 3.5],
    ['7 div 2', 3],
    ['7 % 3', 1],
    ['7 mod 3', 1],
    ['7.5 % 2', 1.5],
    ['2 ^ 10', 1024],
    ['-2 ^ 2', 4],
    ['10 - 4 - 3', 3],
    ['-(3)', -3],
    ['#response.status / 100 == 4', true],
    ['T(Math).pow(2, 3) / 3 > 2.6', true],
    ["'a' + 'b'", 'ab'],
    ["'n' + 1", 'n1'],
    ["1 + 'n'", '1n'],
    ["'x' + null", 'xnull'],
    ["'x' + true", 'xtrue'],
    ["'ab' * 3", 'ababab'],
    ['1 == 1.0', true],
    ["'1' == 1", false],
    ['null == null', true],
    ['#nothing == null', true],
    ['#nothing != null', false],
    ['3 > 2 && 2 > 1', true],
    ['3 gt 2 and 2 lt 1', false],
    ['1 eq 1', true],
    ['1 ne 1', false],
    ['2 ge 2 AND 2 le 2', true],
    ["'abc' < 'abd'", true],
    ["'b' > 'a'", true],
    ['null < 1', true],
    ['null > 1', false],
    ['true or false', true],
    ['false || true', true],
    ['!true', false],
    ['not false', true],
    ["!'false'", true],
    ["'abc' matches '[a-z]+'", true],
    ["'abc1' matches '[a-z]+'", false],
    ["'ABC' matches '(?i)[a-z]+'", true],
    ['3 between {1, 5}', true],
    ['6 between {1, 5}', false],
    ['true ? 1 : 2', 1],
    ["#context.attributes['count'] > 2 ? 'many' : 'few'", 'many'],
    ["false ? 'a' : true ? 'b' : 'c'", 'b'],
    ["#nothing ?: 'default'", 'default'],
    ["#empty ?: 'default'", 'default'],
    ["'set' ?: 'default'", 'set'],
    ['{1, 2} == {1, 2}', true],
    ['{a: 1} == {a: 1}', true],
    ['1 / 0', err('EL_DIVISION_BY_ZERO')],
    ['1.0 / 0', Number.POSITIVE_INFINITY],
    ["1 - 'a'", err('EL_TYPE_ERROR')],
    ['true < 1', err('EL_TYPE_ERROR')],
    ['#nothing && true', err('EL_TYPE_ERROR')],
    ["'maybe' and true", err('EL_TYPE_ERROR')],
  ]);
});
describe('safe navigation and null handling', () => {
  check([
    ['#nothing?.length()', null],
    ['#nothing?.foo', null],
    ["#nothing?.['foo']", null],
    ['#nothing.length()', err('EL_NULL_REFERENCE')],
    ['#nothing.foo', err('EL_NULL_REFERENCE')],
    ['#nothing[0]', err('EL_NULL_REFERENCE')],
    ["#request.headers['absent']", null],
    ["#request.headers['absent'][0]", err('EL_NULL_REFERENCE')],
    ["#request.headers['absent']?.[0]", null],
    ["#request.headers['absent'] != null", false],
    ['#undefinedVariable', null],
    ['#root', null],
    ['bareName', err('EL_NULL_REFERENCE')],
  ]);
});
