import { describe, expect, it } from 'vitest';
import { InMemoryExecutionContext, instantiate } from '../testing/index.js';
import addDefault from './examples/add-default.json' with { type: 'json' };
import { jsonToJsonPolicy } from './index.js';

describe('json-to-json', () => {
  it('applies the Gravitee bench fixture to the response only, keeping its Content-Type', async () => {
    const instance = instantiate(jsonToJsonPolicy, addDefault.configuration);
    expect(instance.onRequest).toBeUndefined();
    const exec = new InMemoryExecutionContext({
      response: { headers: { 'content-type': 'application/vnd.x+json' }, body: '{"a":1}' },
    });
    await instance.onResponse!(exec);
    expect(exec.response.currentBody.toString()).toBe('{"a":1,"Hello":"World"}');
    expect(exec.response.headers.get('content-type')).toEqual(['application/vnd.x+json']);
  });

  it('transforms the request body in v4 (no scope) and sets the Content-Type', async () => {
    const instance = instantiate(jsonToJsonPolicy, {
      specification: '[{"operation":"shift","spec":{"user":{"name":"who"}}}]',
    });
    const exec = new InMemoryExecutionContext({
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{"user":{"name":"Ada"}}',
    });
    await instance.onRequest!(exec);
    expect(exec.request.currentBody.toString()).toBe('{"who":"Ada"}');
    expect(exec.request.headers.getFirst('content-type')).toBe('application/json');
    expect(exec.interruption).toBeUndefined();
  });

  it('interrupts with 500 INVALID_JSON_TRANSFORMATION on a body that is not JSON', async () => {
    const exec = new InMemoryExecutionContext({ response: { body: '<xml/>' } });
    await instantiate(jsonToJsonPolicy, addDefault.configuration).onResponse!(exec);
    expect(exec.interruption).toMatchObject({ status: 500, key: 'INVALID_JSON_TRANSFORMATION' });
    expect(exec.interruption!.message).toMatch(/^Unable to apply JSON to JSON transformation: /);
    expect(exec.response.currentBody.toString()).toBe('<xml/>');
  });

  it('refuses an invalid specification at deploy time', () => {
    expect(() => instantiate(jsonToJsonPolicy, { specification: '[{' })).toThrow(
      'invalid JOLT specification: specification: not valid JSON',
    );
    expect(() => instantiate(jsonToJsonPolicy, { specification: '[{"operation":"chain","spec":{}}]' })).toThrow(
      "invalid JOLT specification: [0].operation: unknown operation 'chain'",
    );
    expect(() => instantiate(jsonToJsonPolicy, {})).toThrow('/specification');
  });
});
