import { describe, expect, it } from 'vitest';
import { compileExpression, createElContext, ElEvaluationError, evaluate } from './index.js';

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
/** The context of the method, collection, static type and function rows. */
const ctx = createElContext({
  request: {
    remoteAddress: '10.0.0.7',
    headers: { 'Content-Type': 'application/json', 'X-Multi': ['a', 'b'] },
    content: JSON.stringify(BOOKS),
  },
  context: { attributes: { 'user-id': 'u-42' } },
  node: { shardingTags: ['internal', 'external'] },
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
    xml: '<?xml version="1.0"?><root><lastname>DOE</lastname><age>35</age><items><item id="1" type="a">first</item><item id="2" type="b">second</item></items></root>',
    nothing: null,
  },
});

type Row = readonly [source: string, expected: unknown];
const err = (code: string) => ({ error: code });

function run(source: string): unknown {
  const compiled = compileExpression(source);
  try {
    return evaluate(compiled, ctx);
  } catch (e) {
    if (e instanceof ElEvaluationError) return { error: e.code };
    throw e;
  }
}

/** Each row evaluates `source` (a template, or a bare expression) and compares with `expected` or `{ error: code }`. */
function check(rows: readonly Row[]) {
  it.each(rows)('%s', (source, expected) => {
    expect(run(source)).toEqual(expected);
  });
}
describe('string methods', () => {
  check([
    ["'Hello'.length()", 5],
    ["'Hello'.toUpperCase()", 'HELLO'],
    ["'Hello'.toLowerCase()", 'hello'],
    ["'Hello'.substring(1)", 'ello'],
    ["'Hello'.substring(1, 3)", 'el'],
    ["'Hello'.substring(3, 1)", err('EL_INDEX_OUT_OF_BOUNDS')],
    ["'Hello'.startsWith('He')", true],
    ["'Hello'.startsWith('l', 2)", true],
    ["'Hello'.endsWith('lo')", true],
    ["'Hello'.contains('ell')", true],
    ["'Hello'.indexOf('l')", 2],
    ["'Hello'.indexOf('l', 3)", 3],
    ["'Hello'.lastIndexOf('l')", 3],
    ["'Hello'.charAt(1)", 'e'],
    ["'Hello'.charAt(9)", err('EL_INDEX_OUT_OF_BOUNDS')],
    ["'Hello'[0]", 'H'],
    ["''.isEmpty()", true],
    ["'  '.isBlank()", true],
    ["'  x '.trim()", 'x'],
    ["'  x '.strip()", 'x'],
    ["'a.b.c'.replace('.', '/')", 'a/b/c'],
    ["'a1b22c'.replaceAll('[0-9]+', '#')", 'a#b#c'],
    ["'john smith'.replaceAll('(\\w+) (\\w+)', '$2, $1')", 'smith, john'],
    ["'price: 5'.replaceAll('\\d', '\\$')", 'price: $'],
    ["'a.b*c'.replaceAll('\\Q.b*\\E', '-')", 'a-c'],
    ["'1+1'.matches('\\Q1+1\\E')", true],
    ["'a1b2'.replaceFirst('[0-9]', '_')", 'a_b2'],
    ["'a,b,,c,,'.split(',')", ['a', 'b', '', 'c']],
    ["'a,b,c'.split(',', 2)", ['a', 'b,c']],
    ["'a1b2c3'.split('\\d')", ['a', 'b', 'c']],
    ["'abc'.split('')", ['a', 'b', 'c']],
    ["'Bearer abc'.split(' ')[1]", 'abc'],
    ["'Hello'.equals('Hello')", true],
    ["'Hello'.equalsIgnoreCase('HELLO')", true],
    ["'a'.compareTo('c')", -2],
    ["'ab'.concat('cd')", 'abcd'],
    ["'ab'.repeat(2)", 'abab'],
    ["'Hello'.hashCode()", 69609650],
    ["'abc'.toCharArray()", ['a', 'b', 'c']],
    ["'x'.toString()", 'x'],
    ["#request.headers['Content-Type'][0].contains('json')", true],
    ["#request.remoteAddress.startsWith('10.')", true],
    ["'a[b'.matches('a' + '[b')", err('EL_INVALID_ARGUMENT')],
    ["'Hello'.substring('1')", err('EL_TYPE_ERROR')],
    ["'Hello'.size()", err('EL_UNKNOWN_METHOD')],
    ["'Hello'.length(1)", err('EL_UNKNOWN_METHOD')],
  ]);
});

describe('collections and maps', () => {
  check([
    ['#list.size()', 5],
    ['#list[0]', 1],
    ["#list['1']", 2],
    ['#list.get(4)', 5],
    ['#list.contains(3)', true],
    ['#list.contains(9)', false],
    ['#list.indexOf(4)', 3],
    ['#list.isEmpty()', false],
    ['#list.subList(1, 3)', [2, 3]],
    ['#list.containsAll({1, 2})', true],
    ['#list.getFirst()', 1],
    ['#list.getLast()', 5],
    ['#list.toString()', '[1, 2, 3, 4, 5]'],
    ['#list[5]', err('EL_INDEX_OUT_OF_BOUNDS')],
    ['#list[-1]', err('EL_INDEX_OUT_OF_BOUNDS')],
    ["#map['b']", 2],
    ['#map.b', 2],
    ["#map.get('c')", 3],
    ["#map.containsKey('a')", true],
    ["#map.containsKey('z')", false],
    ['#map.containsValue(3)', true],
    ['#map.keySet()', ['a', 'b', 'c']],
    ['#map.values()', [1, 2, 3]],
    ['#map.size()', 3],
    ["#map.getOrDefault('z', 0)", 0],
    ['#map.toString()', '{a=1, b=2, c=3}'],
    ["#map['zz']", null],
    ['#map.entrySet()[0].key', 'a'],
    ['#map.entrySet()[1].getValue()', 2],
    ["#context.attributes.containsKey('user-id')", true],
    ["#request.headers.containsKey('CONTENT-TYPE')", true],
    ["#request.headers.get('x-multi').size()", 2],
    ["#request.headers.getAll('absent')", []],
    ["#request.headers.toSingleValueMap()['X-Multi']", 'a'],
    ['#request.headers.size()', 2],
    ["#node.shardingTags.contains('internal')", true],
  ]);
});

describe('selection and projection', () => {
  check([
    ['#list.?[#this > 2]', [3, 4, 5]],
    ['#list.^[#this > 2]', 3],
    ['#list.$[#this > 2]', 5],
    ['#list.^[#this > 9]', null],
    ['#list.![#this * 10]', [10, 20, 30, 40, 50]],
    ['#people.?[age > 40].![name]', ['Alan', 'Grace']],
    ["#people.^[name.startsWith('A')].age", 36],
    ['#people.![name.length()]', [3, 4, 5]],
    ["#words.?[#this.contains('an')]", ['banana']],
    [
      '#map.?[value > 1]',
      new Map([
        ['b', 2],
        ['c', 3],
      ]),
    ],
    ["#map.?[key == 'a']", new Map([['a', 1]])],
    ['#map.![key + value]', ['a1', 'b2', 'c3']],
    ['#list.?[#this > 1].size()', 4],
    ['#nothing?.?[#this > 1]', null],
    ['#nothing.?[#this > 1]', err('EL_NULL_REFERENCE')],
    ['#list.?[#this]', err('EL_TYPE_ERROR')],
    ['#list.![#this].?[#this % 2 == 0]', [2, 4]],
  ]);
});
describe('static types', () => {
  check([
    ['T(java.lang.Math).max(1, 2)', 2],
    ['T(Math).min(1, 2)', 1],
    ['T(Math).abs(-60)', 60],
    ['T(java.lang.Math).round(2.5)', 3],
    ['T(Math).floor(7.9)', 7],
    ['T(Math).ceil(7.1)', 8],
    ['T(Math).sqrt(16)', 4],
    ['T(Math).pow(2, 8)', 256],
    ['T(Math).PI > 3.14', true],
    ['T(Math).random() < 1', true],
    ['(T(java.lang.Math).random() * 60).intValue() < 60', true],
    ['T(Math).floorMod(-7, 3)', 2],
    ["T(java.lang.Integer).parseInt('42') + 1", 43],
    ["T(Integer).parseInt('4x')", err('EL_INVALID_ARGUMENT')],
    ["T(java.lang.Long).parseLong('1709737299215')", 1709737299215],
    ["T(Double).parseDouble('1.5') * 2", 3],
    ["T(java.lang.Boolean).parseBoolean('TRUE')", true],
    ["T(Boolean).parseBoolean('yes')", false],
    ['T(java.lang.String).valueOf(12)', '12'],
    ["T(String).format('%s is %d', 'Ada', 36)", 'Ada is 36'],
    ["T(String).format('%05.1f|%-4s|', 3.14159, 'x')", '003.1|x   |'],
    ["T(String).join('-', {'a', 'b'})", 'a-b'],
    ['T(Integer).MAX_VALUE', 2147483647],
    ['T(java.lang.System).currentTimeMillis() > 1600000000000L', true],
    ['T(java.util.UUID).randomUUID().length()', 36],
    ["T(java.net.URLEncoder).encode('a b&c', 'UTF-8')", 'a+b%26c'],
    ["T(java.net.URLDecoder).decode('a+b%26c', 'UTF-8')", 'a b&c'],
    ['3.7.intValue()', 3],
    ['(7 / 2.0).toString()', '3.5'],
  ]);
});

describe('functions', () => {
  check([
    ["#jsonPath(#request.content, '$.store.book[*].author')", ['Nigel Rees', 'Herman Melville', 'J. R. R. Tolkien']],
    ["#jsonPath(#request.content, '$..price').size()", 4],
    ["#jsonPath(#request.content, '$.store.book[?(@.price < 10)].title')", ['Sayings of the Century', 'Moby Dick']],
    ["#jsonPath(#request.content, '$.store.book[-1].title')", 'The Lord of the Rings'],
    ["#jsonPath(#request.content, '$.store.book.length()')", 3],
    ["#jsonPath(#request.jsonContent, '$.store.bicycle.color')", 'red'],
    ["#jsonPath('not json', '$.a')", err('EL_FUNCTION_ERROR')],
    ["#jsonPath(#nothing, '$.a')", err('EL_FUNCTION_ERROR')],
    ['#xpath(#xml, \'/root/items/item[@id="2"]\')', 'second'],
    ["#xpath(#xml, '/root/items/item[2]/@type')", 'b'],
    ["#xpath(#xml, '//item/text()', 'node_list')", ['first', 'second']],
    ["#xpath(#xml, 'count(//item)', 'number')", 2],
    ["#xpath(#xml, '/root/missing', 'boolean')", false],
    ["#xpath('<a><!DOCTYPE x></a>', '/a')", err('EL_FUNCTION_ERROR')],
    ['#xmlEscape(\'Hello <world> & "you"\')', 'Hello &lt;world&gt; &amp; &quot;you&quot;'],
    ["#xmlEscape({'1</web:id>', 'b'})", '1&lt;/web:id&gt; b'],
    ['#xmlEscape(#nothing)', null],
    ['#jsonEscape(\'say "hi"\\n/é\')', 'say \\"hi\\"\\\\n\\/\\u00E9'],
    ['#escapeHtml(\'<a href="x">\')', '&lt;a href=&quot;x&quot;&gt;'],
  ]);
});
