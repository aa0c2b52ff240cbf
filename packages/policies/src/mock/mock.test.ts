import { describe, expect, it } from 'vitest';
import { InMemoryExecutionContext, instantiate } from '../testing/index.js';
import { mockPolicy } from './index.js';
import { guessContentType } from './mock.js';

describe('mock', () => {
  it('answers the Gravitee bench fixture configuration (status as a string) and skips the endpoint', () => {
    const exec = new InMemoryExecutionContext();
    const result = instantiate(mockPolicy, {
      status: '200',
      headers: [{ name: 'Content-Type', value: 'text/plain' }],
      content: 'Hello',
    }).onRequest!(exec);
    expect(result).toBeUndefined();
    expect(exec.response.status).toBe(200);
    expect(exec.response.headers.toRecord()).toEqual({ 'Content-Type': 'text/plain' });
    expect(exec.response.currentBody.toString()).toBe('Hello');
    expect(exec.endpointSkipped).toBe(true);
    expect(exec.interruption).toBeUndefined();
  });

  it('evaluates EL in the content and the headers, and guesses the content type', () => {
    const exec = new InMemoryExecutionContext({ method: 'POST', url: '/x?name=Ada' });
    instantiate(mockPolicy, {
      status: 201,
      headers: [{ name: 'X-Method', value: '{#request.method}' }],
      content: '{"name": "{#request.params[\'name\'][0]}"}',
    }).onRequest!(exec);
    expect(exec.response.status).toBe(201);
    expect(exec.response.headers.getFirst('x-method')).toBe('POST');
    expect(exec.response.headers.getFirst('content-type')).toBe('application/json');
    expect(JSON.parse(exec.response.currentBody.toString())).toEqual({ name: 'Ada' });
  });

  it('defaults to 200 with an empty body', () => {
    const exec = new InMemoryExecutionContext({ response: { status: 0 } });
    instantiate(mockPolicy, {}).onRequest!(exec);
    expect(exec.response.status).toBe(200);
    expect(exec.response.currentBody.length).toBe(0);
    expect(exec.response.headers.size).toBe(0);
  });

  it('guesses JSON, XML and text', () => {
    expect(guessContentType(' [1]')).toBe('application/json');
    expect(guessContentType('<a/>')).toBe('application/xml');
    expect(guessContentType('hi')).toBe('text/plain');
  });

  it('refuses a status that is not an HTTP status', () => {
    expect(() => instantiate(mockPolicy, { status: 'OK' })).toThrow('/status');
    expect(() => instantiate(mockPolicy, { status: 99 })).toThrow('/status');
  });
});
