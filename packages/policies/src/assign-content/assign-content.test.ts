import { describe, expect, it } from 'vitest';
import { InMemoryExecutionContext, instantiate } from '../testing/index.js';
import wrapPayload from './examples/wrap-payload.json' with { type: 'json' };
import { assignContentPolicy } from './index.js';

describe('assign-content', () => {
  it('replaces the response body with the template, reading the current body', async () => {
    const exec = new InMemoryExecutionContext({ response: { body: '{"a":1}' } });
    const instance = instantiate(assignContentPolicy, wrapPayload.configuration);
    expect(instance.onRequest).toBeUndefined();
    await instance.onResponse!(exec);
    expect(JSON.parse(exec.response.currentBody.toString())).toEqual({ requestId: exec.request.id, data: { a: 1 } });
  });

  it('replaces the request body from JSON content and attributes, leaving the Content-Type', async () => {
    const exec = new InMemoryExecutionContext({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"Ada"}',
      attributes: { tenant: 't1' },
    });
    await instantiate(assignContentPolicy, {
      body: '<user tenant="{#context.attributes[\'tenant\']}">{#request.jsonContent.name}</user>',
    }).onRequest!(exec);
    expect(exec.request.currentBody.toString()).toBe('<user tenant="t1">Ada</user>');
    expect(exec.request.headers.getFirst('content-type')).toBe('application/json');
  });

  it('interrupts with 500 ASSIGN_CONTENT_ERROR when the template fails', async () => {
    const exec = new InMemoryExecutionContext({ body: 'not json' });
    await instantiate(assignContentPolicy, { body: '{#request.jsonContent.name}' }).onRequest!(exec);
    expect(exec.interruption).toMatchObject({ status: 500, key: 'ASSIGN_CONTENT_ERROR' });
    expect(exec.interruption!.message).toMatch(/^Unable to assign body content: .*not valid JSON/);
    expect(exec.request.currentBody.toString()).toBe('not json');
  });

  it('refuses an invalid template at deploy time', () => {
    expect(() => instantiate(assignContentPolicy, { body: '{#request.headers[}' })).toThrow('/body');
  });
});
