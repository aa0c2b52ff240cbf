import { type EchoUpstream, startEchoUpstream } from '@apim/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { flow, flowSnapshot, step } from './flows-helpers.js';
import { send, startTestGateway, type TestGateway } from './helpers.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function setup(options: Omit<Parameters<typeof flowSnapshot>[0], 'target'>) {
  const up: EchoUpstream = await startEchoUpstream();
  cleanups.push(() => up.close());
  const gw: TestGateway = await startTestGateway(flowSnapshot({ target: up.url, ...options }));
  cleanups.push(() => gw.close());
  return { up, gw };
}

describe('flows on the request path', () => {
  it('transform-headers adds and removes request headers at the upstream and adds a response header', async () => {
    const { up, gw } = await setup({
      flows: [
        flow({
          request: [
            step('transform-headers', {
              addHeaders: [{ name: 'X-Method', value: '{#request.method}' }],
              removeHeaders: ['X-Secret'],
            }),
          ],
          response: [step('transform-headers', { addHeaders: [{ name: 'X-Answered', value: 'yes' }] })],
        }),
      ],
    });
    const res = await send(gw.port, { path: '/api/a?x=1', headers: { 'X-Secret': 's', 'X-Keep': 'k' } });
    expect(res.status).toBe(200);
    expect(res.headers['x-answered']).toBe('yes');
    const seen = up.requests[0]!;
    expect(seen.headers['x-method']).toBe('GET');
    expect(seen.headers['x-secret']).toBeUndefined();
    expect(seen.headers['x-keep']).toBe('k');
    expect(seen.url).toBe('/a?x=1');
    expect(seen.headers['x-gravitee-request-id']).toBeDefined();
  });

  it('assign-attributes feeds a step condition reading #context.attributes', async () => {
    const { up, gw } = await setup({
      flows: [
        flow({
          request: [
            step('assign-attributes', { attributes: [{ name: 'tenant', value: "{#request.headers['X-Tenant'][0]}" }] }),
            step(
              'transform-headers',
              { addHeaders: [{ name: 'X-Acme', value: "{#context.attributes['tenant']}" }] },
              { condition: "{#context.attributes['tenant'] == 'acme'}" },
            ),
          ],
        }),
      ],
    });
    await send(gw.port, { path: '/api/', headers: { 'X-Tenant': 'acme' } });
    await send(gw.port, { path: '/api/', headers: { 'X-Tenant': 'other' } });
    expect(up.requests[0]!.headers['x-acme']).toBe('acme');
    expect(up.requests[1]!.headers['x-acme']).toBeUndefined();
  });

  it('resource-filtering answers 403 and 405 with their keys through the response templates (EL bodies)', async () => {
    const { up, gw } = await setup({
      flows: [
        flow({
          request: [
            step('resource-filtering', {
              whitelist: [{ pattern: '/products/**', methods: ['GET'] }],
              blacklist: [{ pattern: '/products/admin/**' }],
            }),
          ],
        }),
      ],
      api: {
        responseTemplates: {
          RESOURCE_FILTERING_FORBIDDEN: {
            'application/json': { status: 418, body: '{"error":"{#error.key}","on":"{#request.method}"}' },
          },
        },
      },
    });
    const forbidden = await send(gw.port, { path: '/api/products/admin/x', headers: { Accept: 'application/json' } });
    expect(forbidden.status).toBe(418);
    expect(forbidden.headers['content-type']).toBe('application/json');
    expect(JSON.parse(forbidden.body.toString())).toEqual({ error: 'RESOURCE_FILTERING_FORBIDDEN', on: 'GET' });
    const notAllowed = await send(gw.port, { method: 'DELETE', path: '/api/products/1' });
    expect(notAllowed.status).toBe(405);
    expect(notAllowed.headers['x-gravitee-transaction-id']).toBeDefined();
    expect(up.requests).toHaveLength(0);
    expect((await send(gw.port, { path: '/api/products/1' })).status).toBe(200);
  });

  it('override-request-method changes the method sent upstream', async () => {
    const { up, gw } = await setup({
      flows: [flow({ request: [step('override-request-method', { method: 'PUT' })] })],
    });
    expect((await send(gw.port, { method: 'POST', path: '/api/x', body: 'payload' })).status).toBe(200);
    expect(up.requests[0]!.method).toBe('PUT');
    expect(up.requests[0]!.body.toString()).toBe('payload');
  });

  it('latency delays the request (asynchronous step)', async () => {
    const { gw } = await setup({ flows: [flow({ request: [step('latency', { time: 150 })] })] });
    const started = Date.now();
    expect((await send(gw.port, { path: '/api/' })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('selects flows by path parameter and method', async () => {
    const add = (name: string) =>
      step('transform-headers', { addHeaders: [{ name, value: "{#request.pathParams['id']}" }] });
    const { up, gw } = await setup({
      flows: [
        flow({ path: '/users/:id', operator: 'EQUALS', methods: ['GET'], request: [add('X-Get')] }),
        flow({ path: '/users/:id', methods: ['POST'], request: [add('X-Post')] }),
      ],
    });
    await send(gw.port, { path: '/api/users/42' });
    await send(gw.port, { method: 'POST', path: '/api/users/7/x' });
    await send(gw.port, { method: 'POST', path: '/api/other' });
    expect(up.requests[0]!.headers['x-get']).toBe('42');
    expect(up.requests[0]!.headers['x-post']).toBeUndefined();
    expect(up.requests[1]!.headers['x-post']).toBe('7');
    expect(up.requests[2]!.headers['x-post']).toBeUndefined();
  });

  it('BEST_MATCH runs only the most specific API flow', async () => {
    const tag = (value: string) => step('transform-headers', { addHeaders: [{ name: 'X-Flow', value }] });
    const { up, gw } = await setup({
      api: { flowExecution: { mode: 'BEST_MATCH', matchRequired: false } },
      flows: [
        flow({ path: '/', request: [tag('root')] }),
        flow({ path: '/items/:id', request: [tag('param')] }),
        flow({ path: '/items/special', request: [tag('static')] }),
      ],
    });
    await send(gw.port, { path: '/api/items/special' });
    await send(gw.port, { path: '/api/items/3' });
    await send(gw.port, { path: '/api/else' });
    expect(up.requests.map((r) => r.headers['x-flow'])).toEqual(['static', 'param', 'root']);
  });

  it('matchRequired answers 404 GATEWAY_FLOW_NOT_FOUND when no API flow matches', async () => {
    const { up, gw } = await setup({
      api: { flowExecution: { mode: 'DEFAULT', matchRequired: true } },
      flows: [flow({ path: '/only' })],
    });
    const res = await send(gw.port, { path: '/api/else', headers: { Accept: 'application/json' } });
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body.toString())).toMatchObject({ http_status_code: 404 });
    expect((await send(gw.port, { path: '/api/only' })).status).toBe(200);
    expect(up.requests).toHaveLength(1);
  });
});
