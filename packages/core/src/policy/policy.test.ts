import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { compileTemplate, createElContext, evaluate } from '../el/index.js';
import { definePolicy, isPolicyPlugin } from './define-policy.js';
import { MutableMultiValueMap } from './multi-value-map.js';
import { PolicyRegistry } from './policy-registry.js';
import { ElTemplate } from './policy-schema.js';

const echo = definePolicy({
  id: 'echo',
  version: '1.0.0',
  name: 'Echo',
  description: 'test',
  category: 'others',
  phases: ['request'],
  schema: Type.Object({
    count: Type.Integer({ default: 1 }),
    items: Type.Array(Type.Object({ name: Type.String(), value: ElTemplate() }), { default: [] }),
  }),
  create: (config) => ({ onRequest: () => void config.count }),
});

describe('definePolicy', () => {
  it('freezes the declaration and marks it', () => {
    expect(Object.isFrozen(echo)).toBe(true);
    expect(isPolicyPlugin(echo)).toBe(true);
    expect(isPolicyPlugin({ id: 'x' })).toBe(false);
  });

  it('refuses a non kebab-case id and an empty phase list', () => {
    const base = {
      version: '1',
      name: 'x',
      description: 'x',
      category: 'others',
      schema: Type.Object({}),
      create: () => ({}),
    } as const;
    expect(() => definePolicy({ ...base, id: 'Bad_Id', phases: ['request'] })).toThrow('must be kebab-case');
    expect(() => definePolicy({ ...base, id: 'ok', phases: [] })).toThrow('declares no phase');
  });
});

describe('PolicyRegistry', () => {
  it('registers, lists sorted, refuses duplicates unless replacing', () => {
    const other = definePolicy({ ...echo, id: 'another' });
    const registry = new PolicyRegistry([echo, other]);
    expect(registry.list().map((p) => p.id)).toEqual(['another', 'echo']);
    expect(() => registry.register(echo)).toThrow('policy [echo] is already registered');
    expect(registry.register(echo, { replace: true }).get('echo')).toBe(echo);
  });

  it('validates a configuration once compiled: defaults applied, deep-frozen copy', () => {
    const registry = new PolicyRegistry([echo]);
    const input = { items: [{ name: 'a', value: 'x' }] };
    const result = registry.validateStepConfiguration('echo', input);
    expect(result).toEqual({ ok: true, value: { count: 1, items: [{ name: 'a', value: 'x' }] } });
    if (!result.ok) return;
    expect(Object.isFrozen(result.value)).toBe(true);
    expect(Object.isFrozen((result.value.items as object[])[0])).toBe(true);
    expect(input).toEqual({ items: [{ name: 'a', value: 'x' }] });
    expect(registry.validateStepConfiguration('echo', undefined)).toEqual({ ok: true, value: { count: 1, items: [] } });
  });

  it('reports schema errors and EL syntax errors as JSON pointers', () => {
    const registry = new PolicyRegistry([echo]);
    expect(registry.validateStepConfiguration('echo', { count: 'x' })).toEqual({
      ok: false,
      errors: [{ path: '/count', message: 'must be of type integer' }],
    });
    const bad = registry.validateStepConfiguration('echo', { items: [{ name: 'a', value: "{#request.headers['x'}" }] });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors).toHaveLength(1);
    expect(bad.errors[0]!.path).toBe('/items/0/value');
    expect(bad.errors[0]!.message).toMatch(/^invalid EL at position \d+: /);
    expect(registry.validateStepConfiguration('nope', {})).toEqual({
      ok: false,
      errors: [{ path: '', message: 'unknown policy [nope]' }],
    });
  });
});

describe('MutableMultiValueMap', () => {
  it('is case-insensitive for headers, keeps the given name, counts changes', () => {
    const headers = MutableMultiValueMap.from(
      { 'X-Foo': ['a', 'b'], Host: 'h', skip: undefined },
      { caseInsensitive: true },
    );
    expect(headers.version).toBe(0);
    expect(headers.get('x-foo')).toEqual(['a', 'b']);
    headers.add('X-FOO', 'c').set('x-bar', '1');
    expect(headers.version).toBe(2);
    expect(headers.delete('HOST')).toBe(true);
    expect(headers.toRecord()).toEqual({ 'X-Foo': ['a', 'b', 'c'], 'x-bar': '1' });
  });

  it('feeds an EL context', () => {
    const params = MutableMultiValueMap.from([
      ['q', '1'],
      ['q', '2'],
    ]);
    const ctx = createElContext({ request: { params: () => new Map(params) } });
    expect(evaluate(compileTemplate("{#request.params['q'][1]}"), ctx)).toBe('2');
    expect(params.get('Q')).toBeUndefined();
  });
});
