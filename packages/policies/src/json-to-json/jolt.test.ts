import { describe, expect, it } from 'vitest';
import { compileJolt } from './jolt.js';

const run = (spec: unknown, input: unknown) => compileJolt(JSON.stringify(spec)).transform(structuredClone(input));
const shift = (spec: unknown, input: unknown) => run([{ operation: 'shift', spec }], input);

describe('JOLT shift', () => {
  it('runs the JOLT documentation example: nested objects, `*`, `&1` and `$`', () => {
    const input = { rating: { primary: { value: 3, max: 5 }, quality: { value: 3, max: 7 } } };
    const spec = {
      rating: {
        primary: { value: 'Rating', max: 'RatingRange' },
        '*': { max: 'SecondaryRatings.&1.Range', value: 'SecondaryRatings.&1.Value', $: 'SecondaryRatings.&1.Id' },
      },
    };
    expect(shift(spec, input)).toEqual({
      Rating: 3,
      RatingRange: 5,
      SecondaryRatings: { quality: { Range: 7, Value: 3, Id: 'quality' } },
    });
  });

  it('appends with `[]`, indexes with `[&1]` and `[#2]`, references siblings with `@(1,name)`', () => {
    const input = {
      photos: [
        { url: 'a', name: 'x' },
        { url: 'b', name: 'y' },
      ],
    };
    expect(shift({ photos: { '*': { url: 'urls[]' } } }, input)).toEqual({ urls: ['a', 'b'] });
    expect(shift({ photos: { '*': { url: 'pics[&1].u' } } }, input)).toEqual({ pics: [{ u: 'a' }, { u: 'b' }] });
    expect(shift({ photos: { '*': { url: 'pics[#2].u' } } }, input)).toEqual({ pics: [{ u: 'a' }, { u: 'b' }] });
    expect(shift({ photos: { '*': { url: 'byName.@(1,name)' } } }, input)).toEqual({ byName: { x: 'a', y: 'b' } });
  });

  it('captures stars and alternatives, copies with `@`, writes literals with `#`, matches scalar values', () => {
    const input = { 'tag-red': 1, 'tag-blue': 2, a: 'A', b: 'B', type: 'book', c: { d: 1 } };
    expect(shift({ 'tag-*': 'colors.&(0,1)' }, input)).toEqual({ colors: { red: 1, blue: 2 } });
    expect(shift({ 'a|b': 'letters' }, input)).toEqual({ letters: ['A', 'B'] });
    expect(shift({ c: { '@': 'copy' } }, input)).toEqual({ copy: { d: 1 } });
    expect(shift({ type: { book: { '#B': 'code' }, '*': { '#?': 'code' } } }, input)).toEqual({ code: 'B' });
    expect(shift({ a: ['x', 'y.z'] }, input)).toEqual({ x: 'A', y: { z: 'A' } });
  });

  it('prefers literal keys over `*`, turns repeated writes into a list, returns null when nothing matched', () => {
    expect(shift({ a: 'lit', '*': 'star' }, { a: 1, b: 2 })).toEqual({ lit: 1, star: 2 });
    expect(shift({ '*': 'all' }, { a: 1, b: 2, c: 3 })).toEqual({ all: [1, 2, 3] });
    expect(shift({ x: 'y' }, { a: 1 })).toBeNull();
    expect(shift({ '*': { id: '[&1].key' } }, [{ id: 1 }, { id: 2 }])).toEqual([{ key: 1 }, { key: 2 }]);
  });
});

describe('JOLT default, remove, sort, cardinality, modify', () => {
  it('default fills missing and null keys, nested objects, `*` entries and `[]` arrays', () => {
    const spec = { Hello: 'World', a: { b: 1 }, items: { '*': { ok: true } }, list: null };
    expect(run([{ operation: 'default', spec }], { Hello: null, items: [{ ok: false }, {}] })).toEqual({
      Hello: 'World',
      a: { b: 1 },
      items: [{ ok: false }, { ok: true }],
      list: null,
    });
    expect(run([{ operation: 'default', spec: { 'l[]': { '0': 'x' } } }], {})).toEqual({ l: ['x'] });
  });

  it('remove deletes keys, wildcard keys and array entries', () => {
    const spec = { secret: '', 'tmp-*': '', nested: { '*': { pw: '' } }, list: { '0': '' } };
    expect(
      run([{ operation: 'remove', spec }], {
        secret: 1,
        'tmp-a': 2,
        keep: 3,
        nested: { x: { pw: 1, id: 2 } },
        list: ['a', 'b'],
      }),
    ).toEqual({ keep: 3, nested: { x: { id: 2 } }, list: ['b'] });
  });

  it('sort orders keys at every depth; cardinality makes ONE or MANY', () => {
    const sorted = run([{ operation: 'sort' }], { b: 1, a: { d: 1, c: [{ z: 1, y: 2 }] } });
    expect(JSON.stringify(sorted)).toBe('{"a":{"c":[{"y":2,"z":1}],"d":1},"b":1}');
    const spec = { one: 'ONE', many: 'MANY', empty: 'ONE', '*': { v: 'MANY' } };
    expect(run([{ operation: 'cardinality', spec }], { one: [1, 2], many: 1, empty: [], o: { v: 2 } })).toEqual({
      one: 1,
      many: [1],
      empty: null,
      o: { v: [2] },
    });
  });

  it('modify-overwrite-beta and modify-default-beta apply functions and references', () => {
    const input = { name: 'Ada', tags: ['a', 'b'], n: '42.7', user: { first: 'ada', last: 'L' } };
    const spec = {
      name: '=toUpper',
      count: '=size(@(1,tags))',
      csv: "=join(',', @(1,tags))",
      n: '=toInteger',
      user: { full: "=concat(@(1,first), ' ', @(1,last))", first: '=toUpper', copy: '@(2,name)' },
      fixed: 7,
    };
    expect(run([{ operation: 'modify-overwrite-beta', spec }], input)).toEqual({
      name: 'ADA',
      tags: ['a', 'b'],
      n: 42,
      count: 2,
      csv: 'a,b',
      user: { first: 'ADA', last: 'L', full: 'ada L', copy: 'ADA' },
      fixed: 7,
    });
    expect(
      run([{ operation: 'modify-default-beta', spec: { name: 'x', other: '=toString(@(1,n))' } }], { name: 'a', n: 1 }),
    ).toEqual({
      name: 'a',
      n: 1,
      other: '1',
    });
  });

  it('chains operations in order', () => {
    const spec = [
      { operation: 'shift', spec: { user: { name: 'who' } } },
      { operation: 'default', spec: { greeting: 'hi' } },
      { operation: 'modify-overwrite-beta', spec: { who: '=toLower' } },
    ];
    expect(run(spec, { user: { name: 'ADA' } })).toEqual({ who: 'ada', greeting: 'hi' });
  });
});

describe('JOLT specification errors', () => {
  it.each([
    ['not json', /specification: not valid JSON/],
    ['42', /specification: must be a list of operations/],
    ['[{"operation":"shiftr","spec":{}}]', /\[0\]\.operation: unknown operation 'shiftr'/],
    ['[{"operation":"shift"}]', /\[0\]: operation 'shift' needs a 'spec' object/],
    ['[{"operation":"shift","spec":{"a":5}}]', /\[0\]\.spec\.a: a shift value must be/],
    ['[{"operation":"shift","spec":{"&1":"x"}}]', /unsupported key '&1'/],
    ['[{"operation":"remove","spec":{"a":"x"}}]', /\[0\]\.spec\.a: a remove leaf must be ""/],
    ['[{"operation":"cardinality","spec":{"a":"TWO"}}]', /must be "ONE" or "MANY"/],
    ['[{"operation":"modify-overwrite-beta","spec":{"a":"=nope"}}]', /unknown function 'nope'/],
  ])('refuses %s', (spec, message) => {
    expect(() => compileJolt(spec)).toThrow(message);
  });
});
