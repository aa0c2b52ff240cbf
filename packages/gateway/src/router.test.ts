import { describe, expect, it } from 'vitest';
import { normalizeHost, Router } from './router.js';

describe('normalizeHost', () => {
  it('lowercases and strips the port and a trailing dot', () => {
    expect(normalizeHost('API.Example.com:8082')).toBe('api.example.com');
    expect(normalizeHost('api.example.com.')).toBe('api.example.com');
    expect(normalizeHost('[::1]:8082')).toBe('[::1]');
    expect(normalizeHost('')).toBeUndefined();
    expect(normalizeHost(undefined)).toBeUndefined();
  });
});

describe('Router', () => {
  it('matches a context path on segment boundaries only', () => {
    const router = new Router<string>();
    router.add('proxy', [{ path: '/proxy-api' }]);
    expect(router.match('h', '/proxy-api')?.value).toBe('proxy');
    expect(router.match('h', '/proxy-api/')?.value).toBe('proxy');
    expect(router.match('h', '/proxy-api/x/y')?.value).toBe('proxy');
    expect(router.match('h', '/proxy-api?x=1')?.value).toBe('proxy');
    expect(router.match('h', '/proxy-apix')).toBeUndefined();
    expect(router.match('h', '/other')).toBeUndefined();
    expect(router.match('h', '/')).toBeUndefined();
    expect(router.match('h', 'http://h/proxy-api')).toBeUndefined();
  });

  it('does not match a path segment that only appears in the query string', () => {
    const router = new Router<string>();
    router.add('deep', [{ path: '/a/b' }]);
    expect(router.match(undefined, '/a?/b')).toBeUndefined();
    expect(router.match(undefined, '/a/b?c=/d')?.value).toBe('deep');
  });

  it('picks the longest context path and reports the prefix to strip', () => {
    const router = new Router<string>();
    router.add('root', [{ path: '/' }]);
    router.add('short', [{ path: '/a/' }]);
    router.add('long', [{ path: '//a/b' }]);
    expect(router.match(undefined, '/a/b/c')).toMatchObject({ value: 'long', path: '/a/b', prefixLength: 4 });
    expect(router.match(undefined, '/a/bc')).toMatchObject({ value: 'short', path: '/a', prefixLength: 2 });
    expect(router.match(undefined, '/zzz')).toMatchObject({ value: 'root', path: '/', prefixLength: 0 });
  });

  it('routes by exact host, case-insensitively and without the port', () => {
    const router = new Router<string>();
    router.add('hosted', [{ host: 'API.example.com', path: '/x' }]);
    expect(router.match('api.example.com', '/x')?.value).toBe('hosted');
    expect(router.match('Api.Example.COM:8082', '/x/1')?.value).toBe('hosted');
    expect(router.match('other.example.com', '/x')).toBeUndefined();
    expect(router.match(undefined, '/x')).toBeUndefined();
  });

  it('prefers a host-specific route over a host-less one, even with a shorter path', () => {
    const router = new Router<string>();
    router.add('any', [{ path: '/a/b' }]);
    router.add('hosted', [{ host: 'api.example.com', path: '/a' }]);
    expect(router.match('api.example.com', '/a/b')?.value).toBe('hosted');
    expect(router.match('other.example.com', '/a/b')?.value).toBe('any');
    // No path of the host matches: fall back to the host-less routes.
    router.add('hosted2', [{ host: 'b.example.com', path: '/z' }]);
    expect(router.match('b.example.com', '/a/b')?.value).toBe('any');
  });

  it('matches wildcard hosts, the most specific suffix first, after exact hosts', () => {
    const router = new Router<string>();
    router.add('wild', [{ host: '*.example.com', path: '/' }]);
    router.add('wilder', [{ host: '*.eu.example.com', path: '/' }]);
    router.add('exact', [{ host: 'www.eu.example.com', path: '/' }]);
    expect(router.match('a.example.com', '/x')?.value).toBe('wild');
    expect(router.match('a.b.example.com', '/x')?.value).toBe('wild');
    expect(router.match('a.eu.example.com', '/x')?.value).toBe('wilder');
    expect(router.match('www.eu.example.com', '/x')?.value).toBe('exact');
    expect(router.match('example.com', '/x')).toBeUndefined();
  });

  it('adds and removes one value without disturbing the others', () => {
    const router = new Router<string>();
    router.add('a', [{ path: '/a' }, { host: 'h.example.com', path: '/a' }, { host: '*.w.com', path: '/a' }]);
    router.add('ab', [{ path: '/a/b' }]);
    router.remove('a');
    expect(router.match('h.example.com', '/a')).toBeUndefined();
    expect(router.match('x.w.com', '/a')).toBeUndefined();
    expect(router.match(undefined, '/a/b/c')?.value).toBe('ab');
    expect(router.size).toBe(1);
    router.remove('ab');
    expect(router.match(undefined, '/a/b')).toBeUndefined();
    expect(router.size).toBe(0);
  });

  it('replaces the routes of a value when it is added again', () => {
    const router = new Router<string>();
    router.add('api', [{ path: '/v1' }]);
    router.add('api', [{ path: '/v2' }]);
    expect(router.match(undefined, '/v1')).toBeUndefined();
    expect(router.match(undefined, '/v2')?.value).toBe('api');
  });

  it('keeps the first owner of a conflicting path and hands it over on removal', () => {
    const router = new Router<string>();
    router.add('first', [{ path: '/same' }]);
    router.add('second', [{ path: '/same' }]);
    expect(router.match(undefined, '/same')?.value).toBe('first');
    expect(router.shadowedBy('second')).toEqual(['first']);
    router.remove('first');
    expect(router.match(undefined, '/same')?.value).toBe('second');
  });

  it('scales with the request depth, not with the number of APIs', () => {
    const router = new Router<number>();
    for (let i = 0; i < 20_000; i++) router.add(i, [{ path: `/api-${i}` }, { host: `h${i}.example.com`, path: '/' }]);
    expect(router.match(undefined, '/api-19999/x')?.value).toBe(19_999);
    expect(router.match('h42.example.com', '/anything')?.value).toBe(42);
    const started = performance.now();
    for (let i = 0; i < 100_000; i++) router.match('none.example.com', `/api-${i % 20_000}/orders/1`);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
