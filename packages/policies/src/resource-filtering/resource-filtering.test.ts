import { describe, expect, it } from 'vitest';
import { InMemoryExecutionContext, instantiate } from '../testing/index.js';
import { compileAntPattern } from './ant-path.js';
import { resourceFilteringPolicy } from './index.js';

const run = (configuration: unknown, method: string, url: string, contextPath = '/api') => {
  const exec = new InMemoryExecutionContext({ method, url, contextPath });
  instantiate(resourceFilteringPolicy, configuration).onRequest!(exec);
  return exec.interruption === undefined ? 'pass' : `${exec.interruption.status} ${exec.interruption.key}`;
};

describe('ant patterns', () => {
  it.each([
    ['/a/**', '/a', true],
    ['/a/**', '/a/b/c', true],
    ['/a/**', '/ab', false],
    ['/a/*', '/a/b', true],
    ['/a/*', '/a/b/c', false],
    ['/file?.txt', '/file1.txt', true],
    ['/file?.txt', '/file12.txt', false],
    ['/**/x', '/a/b/x', true],
    ['users/*', '/users/1', true],
  ])('%s on %s is %s', (pattern, path, expected) => {
    expect(compileAntPattern(pattern).test(path)).toBe(expected);
  });
});

describe('resource-filtering', () => {
  const whitelist = { whitelist: [{ pattern: '/products/**', methods: ['GET'] }] };

  it('whitelist: passes a listed resource and method, on the path below the context path', () => {
    expect(run(whitelist, 'GET', '/api/products/1')).toBe('pass');
  });

  it('whitelist: 403 for an unlisted path, 405 for an unlisted method', () => {
    expect(run(whitelist, 'GET', '/api/orders')).toBe('403 RESOURCE_FILTERING_FORBIDDEN');
    expect(run(whitelist, 'DELETE', '/api/products/1')).toBe('405 RESOURCE_FILTERING_METHOD_NOT_ALLOWED');
  });

  it('blacklist: 403 when the rule lists no method, 405 when it lists this one, pass otherwise', () => {
    const blacklist = { blacklist: [{ pattern: '/admin/**' }, { pattern: '/items/*', methods: ['DELETE'] }] };
    expect(run(blacklist, 'GET', '/api/admin/users')).toBe('403 RESOURCE_FILTERING_FORBIDDEN');
    expect(run(blacklist, 'DELETE', '/api/items/3')).toBe('405 RESOURCE_FILTERING_METHOD_NOT_ALLOWED');
    expect(run(blacklist, 'GET', '/api/items/3')).toBe('pass');
  });

  it('with no rules, everything passes', () => {
    expect(run({}, 'POST', '/api/anything')).toBe('pass');
  });
});
