import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BASE, keylessPlan, proxyApi, setup, type TestContext } from './helpers.js';

let t: TestContext;
beforeEach(async () => {
  t = await setup();
});
afterEach(() => t.close());

const PLUGINS = '/management/v2/plugins/policies';
const step = (policy: string, configuration: unknown = {}, extra: Record<string, unknown> = {}) => ({
  name: policy,
  enabled: true,
  policy,
  configuration,
  ...extra,
});
const flow = (request: unknown[], selectors: unknown[] = []) => ({
  name: 'f',
  enabled: true,
  selectors,
  request,
  response: [],
});

describe('policy catalogue', () => {
  it('lists the policies with id, name, description, category, version and phases', async () => {
    const res = await t.call('GET', PLUGINS);
    expect(res.statusCode).toBe(200);
    const list = res.json() as { id: string; phases: string[] }[];
    const mock = list.find((p) => p.id === 'mock');
    expect(mock).toMatchObject({
      id: 'mock',
      name: expect.any(String),
      category: expect.any(String),
      phases: ['request'],
    });
    expect(Object.keys(mock!).sort()).toEqual(['category', 'description', 'id', 'name', 'phases', 'version']);
    expect(list.map((p) => p.id)).toEqual([...list.map((p) => p.id)].sort());
  });

  it('serves one policy and its JSON Schema; 404 for an unknown id', async () => {
    expect((await t.call('GET', `${PLUGINS}/latency`)).json()).toMatchObject({ id: 'latency' });
    const schema = (await t.call('GET', `${PLUGINS}/latency/schema`)).json();
    expect(schema).toMatchObject({ type: 'object', properties: { time: expect.any(Object) } });
    const missing = await t.call('GET', `${PLUGINS}/nope/schema`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ technicalCode: 'policy.notFound' });
  });

  it('requires authentication', async () => {
    expect((await t.app.inject({ method: 'GET', url: PLUGINS })).statusCode).toBe(401);
  });
});

describe('flow validation', () => {
  it('rejects an API whose flows have an invalid configuration or invalid EL, naming each pointer', async () => {
    const res = await t.call(
      'POST',
      BASE,
      proxyApi('/flows', {
        flows: [
          flow(
            [
              step('no-such-policy'),
              step('mock', { status: true }),
              step('transform-headers', { addHeaders: [{ name: 'X-A', value: "{#request.headers['x'}" }] }),
            ],
            [{ type: 'CONDITION', condition: '{#request.method ==}' }],
          ),
        ],
      }),
    );
    expect(res.statusCode).toBe(400);
    const body = res.json() as { details: { location: string; message: string }[] };
    const paths = body.details.map((d) => d.location);
    // An unknown policy alone does not block saving (it is refused at deploy, see below).
    expect(paths).not.toContain('/flows/0/request/0/policy');
    expect(paths).toContain('/flows/0/request/1/configuration/status');
    expect(paths).toContain('/flows/0/request/2/configuration/addHeaders/0/value');
    expect(paths).toContain('/flows/0/selectors/0/condition');
    expect(body.details.find((d) => d.location.endsWith('/value'))!.message).toMatch(/^invalid EL at position \d+/);
  });

  it('accepts valid flows, rejects an invalid update and an invalid plan flow', async () => {
    const created = await t.call('POST', BASE, proxyApi('/ok', { flows: [flow([step('latency', { time: 1 })])] }));
    expect(created.statusCode).toBe(201);
    const api = created.json() as { id: string };
    const update = await t.call('PUT', `${BASE}/${api.id}`, {
      ...proxyApi('/ok', { flows: [flow([step('latency', { time: -1 })])] }),
      visibility: 'PRIVATE',
    });
    expect(update.statusCode).toBe(400);
    expect((update.json() as { details: { location: string }[] }).details[0]!.location).toBe(
      '/flows/0/request/0/configuration/time',
    );
    const plan = await t.call('POST', `${BASE}/${api.id}/plans`, {
      ...keylessPlan(),
      flows: [flow([step('mock', { status: 'teapot' })])],
    });
    expect(plan.statusCode).toBe(400);
    expect((plan.json() as { details: { location: string }[] }).details[0]!.location).toBe(
      '/flows/0/request/0/configuration/status',
    );
  });

  it('saves an API naming a policy this installation lacks, but refuses to deploy it', async () => {
    const created = await t.call('POST', BASE, proxyApi('/later', { flows: [flow([step('no-such-policy')])] }));
    expect(created.statusCode, created.body).toBe(201);
    const api = created.json() as { id: string };
    const deploy = await t.call('POST', `${BASE}/${api.id}/deployments`);
    expect(deploy.statusCode).toBe(400);
    expect(deploy.json()).toMatchObject({
      details: [{ location: '/api/flows/0/request/0/policy', message: 'unknown policy [no-such-policy]' }],
    });
    expect((await t.call('GET', `${BASE}/${api.id}/deployments`)).json().data).toEqual([]);
  });
});
