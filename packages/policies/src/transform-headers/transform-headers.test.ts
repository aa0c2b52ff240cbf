import { describe, expect, it } from 'vitest';
import { InMemoryExecutionContext, instantiate } from '../testing/index.js';
import { transformHeadersPolicy } from './index.js';

describe('transform-headers', () => {
  it('adds (EL), replaces, appends, then removes on the request', () => {
    const exec = new InMemoryExecutionContext({
      headers: { 'User-Agent': 'curl', 'X-Internal': 'secret', 'X-Tag': 'a', 'X-Replace': 'old' },
    });
    instantiate(transformHeadersPolicy, {
      addHeaders: [
        { name: 'X-Agent', value: "{#request.headers['user-agent'][0]}" },
        { name: 'X-Tag', value: 'b', appendToExistingArray: true },
        { name: 'x-replace', value: 'new' },
        { name: 'X-Null', value: "{#request.headers['missing']}" },
      ],
      removeHeaders: ['x-internal'],
    }).onRequest!(exec);
    const headers = exec.request.headers;
    expect(headers.get('x-agent')).toEqual(['curl']);
    expect(headers.get('x-tag')).toEqual(['a', 'b']);
    expect(headers.get('X-Replace')).toEqual(['new']);
    expect(headers.has('x-null')).toBe(false);
    expect(headers.has('X-Internal')).toBe(false);
  });

  it('keeps only the whitelist (case-insensitive), added headers included only when listed', () => {
    const exec = new InMemoryExecutionContext({
      response: { headers: { 'Content-Type': 'a/b', Server: 'x', ETag: '1' } },
    });
    instantiate(transformHeadersPolicy, {
      addHeaders: [{ name: 'X-Added', value: 'v' }],
      whitelistHeaders: ['content-type', 'etag'],
    }).onResponse!(exec);
    expect(exec.response.headers.names().sort()).toEqual(['Content-Type', 'ETag']);
  });

  it('honours a v2 scope: RESPONSE acts only on the response', () => {
    const instance = instantiate(transformHeadersPolicy, {
      scope: 'RESPONSE',
      addHeaders: [{ name: 'X', value: '1' }],
    });
    expect(instance.onRequest).toBeUndefined();
    const exec = new InMemoryExecutionContext();
    instance.onResponse!(exec);
    expect(exec.response.headers.getFirst('x')).toBe('1');
    expect(exec.request.headers.has('x')).toBe(false);
  });
});
