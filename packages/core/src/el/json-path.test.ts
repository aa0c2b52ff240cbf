import { describe, expect, it } from 'vitest';
import { JsonPathSyntaxError, parseJsonPath } from './json-path.js';
import { evaluateJsonPath } from './json-path-eval.js';

const doc = {
  store: {
    book: [
      { category: 'reference', author: 'Nigel Rees', title: 'Sayings of the Century', price: 8.95 },
      { category: 'fiction', author: 'Evelyn Waugh', title: 'Sword of Honour', price: 12.99 },
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
  expensive: 10,
  messages: [
    { role: 'system', content: 'You are helpful.' },
    { role: 'user', content: 'What is the capital of France?' },
  ],
};

let visited = 0;
const query = (path: string, root: unknown = doc) => evaluateJsonPath(parseJsonPath(path), root, (n) => (visited += n));
const titles = (path: string) => (query(path) as { title: string }[]).map((b) => b.title);

describe('JSONPath (Jayway subset)', () => {
  it.each<[string, unknown]>([
    ['$.store.book[0].author', 'Nigel Rees'],
    ["$['store']['bicycle']['color']", 'red'],
    ['$["store"].bicycle.price', 19.95],
    ['$.store.book[*].author', ['Nigel Rees', 'Evelyn Waugh', 'Herman Melville', 'J. R. R. Tolkien']],
    ['$..author', ['Nigel Rees', 'Evelyn Waugh', 'Herman Melville', 'J. R. R. Tolkien']],
    ['$.store..price', [8.95, 12.99, 8.99, 22.99, 19.95]],
    ['$..book[2].title', ['Moby Dick']],
    ['$.store.book[-1].title', 'The Lord of the Rings'],
    ['$.store.book[0,1].price', [8.95, 12.99]],
    ["$.store.bicycle['color','price']", ['red', 19.95]],
    ['$.store.book[:2].price', [8.95, 12.99]],
    ['$.store.book[1:3].price', [12.99, 8.99]],
    ['$.store.book[::2].price', [8.95, 8.99]],
    ['$.store.book[::-1].price', [22.99, 8.99, 12.99, 8.95]],
    ['$.messages[-1:].content', ['What is the capital of France?']],
    ['$.store.book[?(@.isbn)].title', ['Moby Dick', 'The Lord of the Rings']],
    ['$.store.book[?(!@.isbn)].price', [8.95, 12.99]],
    ['$.store.book[?(@.price < 10)].price', [8.95, 8.99]],
    ['$.store.book[?(@.price <= $.expensive)].price', [8.95, 8.99]],
    ["$.store.book[?(@.category == 'fiction' && @.price > 20)].author", ['J. R. R. Tolkien']],
    ["$.store.book[?(@.price > 20 || @.category == 'reference')].price", [8.95, 22.99]],
    ['$.store.book[?(@.author =~ /.*REES/i)].price', [8.95]],
    ["$.store.book[?(@.category in ['reference'])].price", [8.95]],
    ["$.store.book[?(@.category nin ['fiction'])].price", [8.95]],
    ['$.store.book[?(@.price == 8.99)].isbn', ['0-553-21311-3']],
    ['$.store.book[?(@.price>100)]', []],
    ['$.store.book.length()', 4],
    ['$..price.max()', 22.99],
    ['$..price.min()', 8.95],
    ['$.store.book[*].price.sum()', 53.92],
    ['$.store.bicycle.keys()', ['color', 'price']],
    ['$.store.book[*].isbn', [null, null, '0-553-21311-3', '0-395-19395-8']],
    ['$.store.missing', null],
    ['$.store.book[9]', null],
    ['$', doc],
  ])('%s', (path, expected) => {
    const value = query(path);
    if (typeof expected === 'number' && !Number.isInteger(expected)) expect(value).toBeCloseTo(expected);
    else expect(value).toEqual(expected);
  });

  it('applies a filter on an object to the object itself, as Jayway does', () => {
    expect(query("$.store[?(@.bicycle.color == 'red')].bicycle.price")).toEqual([19.95]);
    expect(query("$.store[?(@.color == 'red')]")).toEqual([]);
    expect(titles('$..book[?(@.price > 12)]')).toEqual(['Sword of Honour', 'The Lord of the Rings']);
  });

  it('works on Maps', () => {
    expect(query('$.a.b', new Map([['a', { b: 1 }]]))).toBe(1);
  });

  it('charges every visited node', () => {
    visited = 0;
    query('$..*');
    expect(visited).toBeGreaterThan(30);
  });

  it.each([
    ['store', 0],
    ['$.', 2],
    ['$[', 2],
    ['$.a[?(@.b ==)]', 12],
    ["$['a", 2],
    ['$.a[0:1:0]', 9],
    ['$.a.foo()', 7],
    ['$.a b', 4],
  ])('%s is a syntax error at %i', (path, offset) => {
    let error: unknown;
    try {
      parseJsonPath(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(JsonPathSyntaxError);
    expect((error as JsonPathSyntaxError).offset).toBe(offset);
  });
});
