import { describe, expect, it } from 'vitest';
import { normalizeRequestTarget } from './request-path.js';

describe('normalizeRequestTarget', () => {
  it.each([
    ['/api/items', '/api/items'],
    ['/api/items?x=/../y', '/api/items?x=/../y'],
    ['/api/.well-known/x', '/api/.well-known/x'],
    ['/api/..hidden/x', '/api/..hidden/x'],
    ['/api/a%2Fb', '/api/a%2Fb'],
    ['/api//x', '/api//x'],
    ['*', '*'],
    ['http://example.com/a/../b', 'http://example.com/a/../b'],
  ])('leaves %s unchanged', (target, expected) => {
    expect(normalizeRequestTarget(target)).toBe(expected);
  });

  it.each([
    ['/api/v1/../v2/./items', '/api/v2/items'],
    ['/api/v1/../v2/./items?q=1', '/api/v2/items?q=1'],
    ['/api/x/..', '/api/'],
    ['/api/x/.', '/api/x/'],
    ['/api/./', '/api/'],
    ['/.', '/'],
    ['/a/..', '/'],
    ['/api/%2e%2e/admin', '/admin'],
    ['/api/%2E./admin', '/admin'],
    ['/api/.%2E/admin', '/admin'],
    ['/api/%2e/items', '/api/items'],
    ['/a//../b', '/a/b'],
  ])('resolves %s to %s', (target, expected) => {
    expect(normalizeRequestTarget(target)).toBe(expected);
  });

  it.each(['/..', '/api/../..', '/api/../../etc/passwd', '/%2e%2e/x', '/a/b/../../../c?x=1'])(
    'refuses %s, which climbs above the root',
    (target) => {
      expect(normalizeRequestTarget(target)).toBeUndefined();
    },
  );
});
