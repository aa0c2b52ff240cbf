import { describe, expect, it } from 'vitest';
import { InMemoryExecutionContext, instantiate } from '../testing/index.js';
import { assignAttributesPolicy } from './index.js';

describe('assign-attributes', () => {
  it('sets typed values in order, a later one reading an earlier one', () => {
    const exec = new InMemoryExecutionContext({ headers: { 'X-Tenant': 'acme' } });
    instantiate(assignAttributesPolicy, {
      attributes: [
        { name: 'tenant', value: "{#request.headers['x-tenant'][0]}" },
        { name: 'size', value: '{(2 * 21)}' },
        { name: 'label', value: "tenant={#context.attributes['tenant']}" },
        { name: 'static', value: 'text' },
      ],
    }).onRequest!(exec);
    expect(Object.fromEntries(exec.attributes)).toEqual({
      tenant: 'acme',
      size: 42,
      label: 'tenant=acme',
      static: 'text',
    });
  });

  it('runs in the response phase too, unless a v2 scope says REQUEST', () => {
    const both = instantiate(assignAttributesPolicy, { attributes: [{ name: 's', value: '{#response.status}' }] });
    const exec = new InMemoryExecutionContext({ response: { status: 204 } });
    both.onResponse!(exec);
    expect(exec.attributes.get('s')).toBe(204);
    expect(instantiate(assignAttributesPolicy, { scope: 'REQUEST' }).onResponse).toBeUndefined();
  });
});
