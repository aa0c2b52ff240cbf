import type { ConfigStore } from '@apim/core';
import { createConfigStore } from '@apim/repository-sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildManagementApi } from '../src/index.js';
import { ADMIN_AUTH, BASE, basic, keylessPlan, proxyApi, setup, type TestContext } from './helpers.js';

let t: TestContext;
beforeAll(async () => {
  t = await setup({ bodyLimit: 64 * 1024 });
});
afterAll(() => t.close());

describe('authentication', () => {
  it('answers 401 with a Basic challenge without or with wrong credentials', async () => {
    for (const authorization of [undefined, basic('admin', 'wrong'), basic('nobody', 'x'), 'Bearer abc', 'Basic !!!']) {
      const res = await t.app.inject({
        method: 'GET',
        url: BASE,
        headers: authorization ? { authorization } : {},
      });
      expect(res.statusCode, String(authorization)).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Basic realm="apim"');
      expect(res.json()).toMatchObject({ httpStatus: 401, technicalCode: 'MANAGEMENT_UNAUTHORIZED' });
    }
  });

  it('checks credentials before reading the body, and on unknown routes too', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: BASE,
      payload: '{not json',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/management/v2/unknown' })).statusCode).toBe(401);
    expect((await t.call('GET', '/management/v2/unknown')).statusCode).toBe(404);
  });

  it('refuses a user without the ADMIN role (403)', async () => {
    const admin = (await t.store.users.findBySource('DEFAULT', 'memory', 'admin'))!;
    await t.store.users.create({ ...admin, id: 'reader', sourceId: 'reader', roles: ['USER'] });
    const res = await t.app.inject({
      method: 'GET',
      url: BASE,
      headers: { authorization: basic('reader', 'test-admin-password') },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().parameters.permission).toBe('ENVIRONMENT_API[READ]');
  });

  it('serves the health check without credentials', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/management/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'UP', store: { kind: 'sqlite', status: 'UP' } });
  });
});

describe('not found', () => {
  it('names the unknown API, plan and environment', async () => {
    const api = await t.call('GET', `${BASE}/missing-api`);
    expect(api.statusCode).toBe(404);
    expect(api.json()).toEqual({
      httpStatus: 404,
      message: 'Api [missing-api] cannot be found.',
      technicalCode: 'api.notFound',
      parameters: { api: 'missing-api' },
    });
    for (const [method, url] of [
      ['PUT', `${BASE}/missing-api`],
      ['DELETE', `${BASE}/missing-api`],
      ['POST', `${BASE}/missing-api/deployments`],
      ['POST', `${BASE}/missing-api/_start`],
      ['GET', `${BASE}/missing-api/plans`],
    ] as const) {
      const body = method === 'PUT' ? proxyApi() : undefined;
      expect((await t.call(method, url, body)).statusCode, `${method} ${url}`).toBe(404);
    }

    const created = (await t.call('POST', BASE, proxyApi('/nf'))).json();
    const plan = await t.call('GET', `${BASE}/${created.id}/plans/missing-plan`);
    expect(plan.statusCode).toBe(404);
    expect(plan.json().message).toBe('Plan [missing-plan] cannot be found.');
    expect((await t.call('POST', `${BASE}/${created.id}/plans/missing-plan/_publish`)).statusCode).toBe(404);

    const env = await t.call('GET', '/management/v2/environments/nowhere/apis');
    expect(env.statusCode).toBe(404);
    expect(env.json().message).toBe('Environment [nowhere] cannot be found.');
  });

  it('does not show a plan through another API', async () => {
    const a = (await t.call('POST', BASE, proxyApi('/a1'))).json();
    const b = (await t.call('POST', BASE, proxyApi('/b1'))).json();
    const plan = (await t.call('POST', `${BASE}/${a.id}/plans`, keylessPlan())).json();
    expect((await t.call('GET', `${BASE}/${b.id}/plans/${plan.id}`)).statusCode).toBe(404);
  });
});

describe('bad input', () => {
  it('lists every top-level problem of a create request by JSON pointer', async () => {
    const res = await t.call('POST', BASE, { name: '', definitionVersion: 'V2', type: 'SOAP', tags: 'x' });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body).toMatchObject({ httpStatus: 400, technicalCode: 'MANAGEMENT_VALIDATION_FAILED' });
    const locations = body.details.map((d: { location: string }) => d.location).sort();
    expect(locations).toEqual(
      ['/apiVersion', '/definitionVersion', '/endpointGroups', '/listeners', '/name', '/tags', '/type'].sort(),
    );
    expect(body.details.find((d: { location: string }) => d.location === '/type').invalidValue).toBe('SOAP');
  });

  it('lists every problem inside the definition by JSON pointer', async () => {
    const bad = proxyApi('no-slash', {
      endpointGroups: [
        { name: 'g', type: 'http-proxy', endpoints: [{ name: 'e', type: 'http-proxy', configuration: {} }] },
      ],
      flowExecution: { mode: 'SOMETIMES' },
    });
    const before = (await t.call('GET', BASE)).json().pagination.totalCount;
    const res = await t.call('POST', BASE, bad);
    expect(res.statusCode).toBe(400);
    expect(res.json().technicalCode).toBe('DEFINITION_INVALID');
    const locations = res.json().details.map((d: { location: string }) => d.location);
    expect(locations).toContain('/listeners/0/paths/0/path');
    expect(locations).toContain('/endpointGroups/0/endpoints/0/configuration/target');
    expect(locations).toContain('/flowExecution/mode');
    expect((await t.call('GET', BASE)).json().pagination.totalCount).toBe(before);
  });

  it('validates plans, query strings and path parameters', async () => {
    const api = (await t.call('POST', BASE, proxyApi('/v'))).json();
    const plan = await t.call('POST', `${BASE}/${api.id}/plans`, {
      definitionVersion: 'V4',
      name: 'x',
      security: { type: 'BASIC' },
    });
    expect(plan.statusCode).toBe(400);
    expect(plan.json().details.map((d: { location: string }) => d.location)).toContain('/security/type');
    const noSecurity = await t.call('POST', `${BASE}/${api.id}/plans`, { definitionVersion: 'V4', name: 'x' });
    expect(noSecurity.statusCode).toBe(400);
    expect(noSecurity.json().details[0].location).toBe('/security');

    const page = await t.call('GET', `${BASE}?page=0&perPage=abc`);
    expect(page.statusCode).toBe(400);
    expect(page.json().message).toBe('Invalid query parameters');
    expect(
      page
        .json()
        .details.map((d: { location: string }) => d.location)
        .sort(),
    ).toEqual(['/page', '/perPage']);
    const statuses = await t.call('GET', `${BASE}/${api.id}/plans?statuses=OPEN`);
    expect(statuses.statusCode).toBe(400);
    expect(statuses.json().details[0].location).toBe('/statuses');
  });

  it('explains malformed JSON', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: BASE,
      headers: { authorization: ADMIN_AUTH, 'content-type': 'application/json' },
      payload: '{"name": "x",}',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/^Malformed JSON body: /);
    const poisoned = await t.app.inject({
      method: 'POST',
      url: BASE,
      headers: { authorization: ADMIN_AUTH, 'content-type': 'application/json' },
      payload: '{"__proto__": {"admin": true}}',
    });
    expect(poisoned.statusCode).toBe(400);
  });

  it('answers 415 for a wrong content type and 413 beyond the body limit', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: BASE,
      headers: { authorization: ADMIN_AUTH, 'content-type': 'text/plain' },
      payload: 'name=x',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ httpStatus: 415, technicalCode: 'MANAGEMENT_UNSUPPORTED_MEDIA_TYPE' });
    const big = await t.call('POST', BASE, proxyApi('/big', { description: 'x'.repeat(70 * 1024) }));
    expect(big.statusCode).toBe(413);
    expect(big.json().httpStatus).toBe(413);
  });

  it('accepts _start and deployments without a body, with or without a JSON content type', async () => {
    const api = (await t.call('POST', BASE, proxyApi('/nobody'))).json();
    const res = await t.app.inject({
      method: 'POST',
      url: `${BASE}/${api.id}/deployments`,
      headers: { authorization: ADMIN_AUTH, 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(202);
    expect((await t.call('POST', `${BASE}/${api.id}/_start`)).statusCode).toBe(204);
  });
});

describe('internal errors', () => {
  it('answer 500 without leaking the cause', async () => {
    const real: ConfigStore = await createConfigStore({ url: 'sqlite::memory:' });
    const { ensureDefaults } = await import('../src/index.js');
    await ensureDefaults(real, { adminPassword: 'pw' });
    const broken = Object.create(real) as ConfigStore;
    Object.defineProperty(broken, 'apis', {
      value: {
        ...real.apis,
        search: async () => {
          throw new Error('SQLITE_CORRUPT: secret table layout at /var/lib/apim.db');
        },
      },
    });
    Object.defineProperty(broken, 'users', { value: real.users });
    Object.defineProperty(broken, 'environments', { value: real.environments });
    const app = await buildManagementApi({ store: broken });
    const res = await app.inject({ method: 'GET', url: BASE, headers: { authorization: basic('admin', 'pw') } });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      httpStatus: 500,
      message: 'Internal server error',
      technicalCode: 'MANAGEMENT_INTERNAL_ERROR',
    });
    expect(res.body).not.toContain('SQLITE');
    await app.close();
    await real.close();
  });
});
