import { describe, expect, it } from 'vitest';
import { InMemoryExecutionContext, instantiate } from '../testing/index.js';
import { overrideRequestMethodPolicy } from './index.js';

describe('override-request-method', () => {
  it('changes the method, which EL then sees', () => {
    const exec = new InMemoryExecutionContext({ method: 'POST' });
    expect(exec.el()).toBeDefined();
    instantiate(overrideRequestMethodPolicy, { method: 'PUT' }).onRequest!(exec);
    expect(exec.request.method).toBe('PUT');
    const request = exec.el().request as { method: () => string } | undefined;
    expect(typeof request?.method === 'function' ? request.method() : request?.method).toBe('PUT');
  });

  it('requires a known method', () => {
    expect(() => instantiate(overrideRequestMethodPolicy, {})).toThrow('/method');
    expect(() => instantiate(overrideRequestMethodPolicy, { method: 'FETCH' })).toThrow('must be one of');
  });
});
