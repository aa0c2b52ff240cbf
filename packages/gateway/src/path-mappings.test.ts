import { describe, expect, it } from 'vitest';
import { compilePathMapping, PathMappings } from './path-mappings.js';

describe('path mappings', () => {
  it('compiles a parameter to one non-empty segment, anchored at the end of the path', () => {
    const regex = compilePathMapping('/users/:id');
    const test = (url: string, offset = 0) => {
      regex.lastIndex = offset;
      return regex.test(url);
    };
    expect(test('/users/42')).toBe(true);
    expect(test('/users/42/')).toBe(true);
    expect(test('/users/42?x=/y')).toBe(true);
    expect(test('/users/')).toBe(false);
    expect(test('/users/42/orders')).toBe(false);
    expect(test('/api/users/42', 4)).toBe(true);
    expect(test('/x/users/42', 0)).toBe(false);
  });

  it('escapes literal characters', () => {
    const regex = compilePathMapping('/v1.0/items+(all)');
    expect(regex.test('/v1.0/items+(all)')).toBe(true);
    regex.lastIndex = 0;
    expect(regex.test('/v1x0/items+(all)')).toBe(false);
  });

  it('prefers the mapping with fewer parameters, then the definition order', () => {
    const mappings = new PathMappings(['/:a/:b', '/users/:id', '/users/me', '/:any/me', '']);
    expect(mappings.size).toBe(4);
    expect(mappings.match('/users/me', 0)).toBe('/users/me');
    expect(mappings.match('/users/7', 0)).toBe('/users/:id');
    expect(mappings.match('/ctx/x/me', 4)).toBe('/:any/me');
    expect(mappings.match('/ctx/x/y', 4)).toBe('/:a/:b');
    expect(mappings.match('/ctx', 4)).toBeUndefined();
    expect(new PathMappings(['/']).match('/ctx', 4)).toBe('/');
  });
});
