import { ATTR_REQUEST_ENDPOINT } from '@apim/core';
import { describe, expect, it } from 'vitest';
import { InMemoryExecutionContext, instantiate } from '../testing/index.js';
import byVersion from './examples/by-version.json' with { type: 'json' };
import { dynamicRoutingPolicy } from './index.js';

const route = (url: string, configuration: unknown = byVersion.configuration) => {
  const exec = new InMemoryExecutionContext({ url, contextPath: '/api' });
  const result = instantiate(dynamicRoutingPolicy, configuration).onRequest!(exec);
  expect(result).toBeUndefined();
  return exec;
};

describe('dynamic-routing', () => {
  it('sets gravitee.attribute.request.endpoint from the first matching rule, with #group and #groupName', () => {
    expect(ATTR_REQUEST_ENDPOINT).toBe('gravitee.attribute.request.endpoint');
    expect(route('/api/v1/stores/1').attributes.get(ATTR_REQUEST_ENDPOINT)).toBe('https://legacy.example.com/stores/1');
    expect(route('/api/v2/users?x=1').attributes.get(ATTR_REQUEST_ENDPOINT)).toBe('v2:/users');
  });

  it('matches the whole decoded path and can read the request in the url', () => {
    const config = {
      rules: [
        { pattern: '/users', url: 'http://exact' },
        { pattern: '/users/(\\w+) (\\d+)', url: 'http://h/{#group[1]}/{#group[0]}?m={#request.method}' },
      ],
    };
    expect(route('/api/users/x', config).interruption).toMatchObject({ status: 400 });
    expect(route('/api/users/ada%2042', config).attributes.get(ATTR_REQUEST_ENDPOINT)).toBe('http://h/42/ada?m=GET');
    expect(route('/api/users', config).attributes.get(ATTR_REQUEST_ENDPOINT)).toBe('http://exact');
  });

  it('interrupts with 400 when no rule matches, and does nothing without rules', () => {
    const exec = route('/api/v3/x');
    expect(exec.interruption).toEqual({
      status: 400,
      key: 'DYNAMIC_ROUTING_NO_MATCHING_RULE',
      message: 'No routing rule is matching path',
    });
    expect(exec.attributes.has(ATTR_REQUEST_ENDPOINT)).toBe(false);
    const none = route('/api/v3/x', {});
    expect(none.interruption).toBeUndefined();
    expect(none.attributes.size).toBe(0);
  });

  it('refuses an invalid regular expression or url template at deploy time', () => {
    expect(() => instantiate(dynamicRoutingPolicy, { rules: [{ pattern: '/(a', url: 'http://x' }] })).toThrow(
      'rules[0].pattern is not a valid regular expression',
    );
    expect(() => instantiate(dynamicRoutingPolicy, { rules: [{ pattern: '/a', url: '{#group[}' }] })).toThrow(
      '/rules/0/url',
    );
  });
});
