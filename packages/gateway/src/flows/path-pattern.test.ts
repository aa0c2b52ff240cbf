import { describe, expect, it } from 'vitest';
import { bestMatch, compilePathPattern } from './path-pattern.js';

describe('compilePathPattern', () => {
  it.each([
    ['/', 'STARTS_WITH', '/anything/below', {}],
    ['/', 'EQUALS', '/', {}],
    ['/', 'EQUALS', '/x', undefined],
    ['/users', 'STARTS_WITH', '/users', {}],
    ['/users/', 'STARTS_WITH', '/users/1', {}],
    ['/users', 'STARTS_WITH', '/usersX', undefined],
    ['/users', 'EQUALS', '/users/', {}],
    ['/users', 'EQUALS', '/users/1', undefined],
    ['/users/:id', 'EQUALS', '/users/42', { id: '42' }],
    ['/users/:id', 'EQUALS', '/users/', undefined],
    ['/users/:id/orders/:orderId', 'STARTS_WITH', '/users/1/orders/2/items', { id: '1', orderId: '2' }],
    ['/a.b', 'EQUALS', '/aXb', undefined],
  ] as const)('%s %s on %s', (path, operator, pathInfo, expected) => {
    expect(compilePathPattern(path, operator).match(pathInfo)).toEqual(expected);
  });
});

describe('bestMatch', () => {
  const paths = ['/', '/myPath/staticId', '/:id/staticId', '/myPath/:id', '/myPath'];
  it.each([
    ['/myPath/staticId', '/myPath/staticId'],
    ['/myPath/553', '/myPath/:id'],
    ['/random/staticId', '/:id/staticId'],
  ])('%s selects %s', (pathInfo, expected) => {
    expect(bestMatch(paths, (p) => p, pathInfo)).toBe(expected);
  });

  it('compares only flows that already matched: a shorter literal path beats the root', () => {
    expect(bestMatch(['/', '/myPath'], (p) => p, '/myPath/x')).toBe('/myPath');
  });

  it('ignores flows without a path, keeps the first on a tie', () => {
    expect(bestMatch(['a', 'b'], () => undefined, '/x')).toBeUndefined();
    expect(bestMatch(['/x#1', '/x#2'], (p) => p.split('#')[0], '/x')).toBe('/x#1');
  });
});
