import { describe, expect, it } from 'vitest';
import { InMemoryExecutionContext, instantiate } from '../testing/index.js';
import { transformQueryParamsPolicy } from './index.js';

describe('transform-queryparams', () => {
  it('removes, then adds (EL), replaces or appends', () => {
    const exec = new InMemoryExecutionContext({ url: '/a?debug=1&tag=x&keep=1&Keep=2', headers: { 'X-Key': 'k1' } });
    instantiate(transformQueryParamsPolicy, {
      removeQueryParameters: ['debug', 'keep'],
      addQueryParameters: [
        { name: 'apiKey', value: "{#request.headers['x-key'][0]}" },
        { name: 'tag', value: 'y', appendToExistingArray: true },
        { name: 'none', value: "{#request.headers['missing']}" },
      ],
    }).onRequest!(exec);
    expect([...exec.request.query]).toEqual([
      ['tag', ['x', 'y']],
      ['Keep', ['2']],
      ['apiKey', ['k1']],
    ]);
  });

  it('clears everything first with clearAll', () => {
    const exec = new InMemoryExecutionContext({ url: '/a?a=1&b=2' });
    instantiate(transformQueryParamsPolicy, { clearAll: true, addQueryParameters: [{ name: 'c', value: '3' }] })
      .onRequest!(exec);
    expect(exec.request.query.toRecord()).toEqual({ c: '3' });
  });
});
