import { readdirSync } from 'node:fs';
import { fixturePath, readFixture } from '@apim/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_AUTH, BASE, setup, type TestContext } from './helpers.js';

let t: TestContext;
beforeAll(async () => {
  t = await setup();
});
afterAll(() => t.close());

function importText(payload: string, contentType: string) {
  return t.app.inject({
    method: 'POST',
    url: `${BASE}/_import/definition`,
    headers: { authorization: ADMIN_AUTH, 'content-type': contentType },
    payload,
  });
}

/** The fields of an API that the v4 model declares and that an import then export must keep. */
const API_FIELDS = [
  'name',
  'description',
  'apiVersion',
  'definitionVersion',
  'type',
  'tags',
  'listeners',
  'endpointGroups',
  'flows',
  'flowExecution',
  'analytics',
  'properties',
  'resources',
  'responseTemplates',
  'visibility',
  'lifecycleState',
  'groups',
  'categories',
  'disableMembershipNotifications',
] as const;
const PLAN_FIELDS = [
  'name',
  'description',
  'definitionVersion',
  'security',
  'mode',
  'status',
  'validation',
  'commentRequired',
  'order',
  'tags',
  'flows',
  'type',
] as const;

function pick(source: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]));
}

describe('POST /_import/definition', () => {
  it('imports the Gravitee v4 export with new ids and keeps published plans published', async () => {
    const source = JSON.parse(readFixture('gravitee/v4-proxy-export.json'));
    const res = await importText(readFixture('gravitee/v4-proxy-export.json'), 'application/json');
    expect(res.statusCode).toBe(201);
    const api = res.json();
    expect(api.id).not.toBe('api-id');
    expect(api).toMatchObject({
      name: 'My Api',
      apiVersion: '1.0.0',
      state: 'STOPPED',
      lifecycleState: 'PUBLISHED',
      visibility: 'PUBLIC',
      groups: ['group1'],
      deploymentState: 'NEED_REDEPLOY',
    });
    expect(api.deployedAt).toBeUndefined();

    const plans = (await t.call('GET', `${BASE}/${api.id}/plans?statuses=PUBLISHED,STAGING`)).json().data;
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatchObject({ name: 'Default Keyless (UNSECURED)', status: 'PUBLISHED', apiId: api.id });
    expect(plans[0].id).not.toBe('plan-id');

    const picture = await t.call('GET', `${BASE}/${api.id}/picture`);
    expect(picture.statusCode).toBe(200);
    expect(picture.headers['content-type']).toBe('image/png');

    // Export, then compare with the original on every field the model declares.
    const exported = await t.call('GET', `${BASE}/${api.id}/_export/definition`);
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-disposition']).toMatch(/^attachment; filename=".+\.json"$/);
    const doc = exported.json();
    expect(pick(doc.api, API_FIELDS)).toEqual(pick(source.api, API_FIELDS));
    expect(doc.plans.map((p: Record<string, unknown>) => pick(p, PLAN_FIELDS))).toEqual(
      source.plans.map((p: Record<string, unknown>) => pick(p, PLAN_FIELDS)),
    );
    expect(doc.api.id).toBe(api.id);
    expect(doc.apiPicture).toBe(source.apiPicture);
    expect(doc.apiBackground).toBe(source.apiBackground);
    expect(doc.export.date).toBeTypeOf('string');

    // The export imports again, as a second API.
    const again = await t.call('POST', `${BASE}/_import/definition`, doc);
    expect(again.statusCode).toBe(201);
    expect(again.json().id).not.toBe(api.id);
    expect(again.json().crossId).not.toBe(api.crossId);
  });

  const bench = readdirSync(fixturePath('gravitee/bench')).sort();
  it.each(bench)('imports bench/%s', async (file) => {
    const text = readFixture(`gravitee/bench/${file}`);
    const res = await importText(text, file.endsWith('.yaml') ? 'application/x-yaml' : 'application/json');
    expect(res.statusCode, res.body).toBe(201);
    const api = res.json();
    expect(api.definitionVersion).toBe('V4');
    expect(api.listeners.length).toBeGreaterThan(0);
    const deploy = await t.call('POST', `${BASE}/${api.id}/deployments`);
    expect(deploy.statusCode).toBe(202);
    const current = (await t.call('GET', `${BASE}/${api.id}/deployments/current`)).json();
    expect(current.definition.plans.length).toBeGreaterThan(0);
  });

  it('accepts YAML under text/yaml too, and only on the import route', async () => {
    const yaml = readFixture('gravitee/bench/1-mock.yaml');
    expect((await importText(yaml, 'text/yaml')).statusCode).toBe(201);
    const elsewhere = await t.app.inject({
      method: 'POST',
      url: BASE,
      headers: { authorization: ADMIN_AUTH, 'content-type': 'application/x-yaml' },
      payload: yaml,
    });
    expect(elsewhere.statusCode).toBe(415);
  });

  it('rejects an unknown format and an invalid definition with JSON pointers', async () => {
    const unknown = await t.call('POST', `${BASE}/_import/definition`, { hello: 'world' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().technicalCode).toBe('IMPORT_UNSUPPORTED_FORMAT');

    const source = JSON.parse(readFixture('gravitee/v4-proxy-export.json'));
    source.api.endpointGroups[0].endpoints[0].configuration.target = 'not a url';
    source.api.listeners[0].paths[0].path = 'no-slash';
    const invalid = await t.call('POST', `${BASE}/_import/definition`, source);
    expect(invalid.statusCode).toBe(400);
    const locations = invalid.json().details.map((d: { location: string }) => d.location);
    expect(locations).toContain('/api/endpointGroups/0/endpoints/0/configuration/target');
    expect(locations).toContain('/api/listeners/0/paths/0/path');

    const empty = await t.app.inject({
      method: 'POST',
      url: `${BASE}/_import/definition`,
      headers: { authorization: ADMIN_AUTH, 'content-type': 'application/json' },
    });
    expect(empty.statusCode).toBe(400);
  });

  it('answers 404 when exporting an unknown API', async () => {
    expect((await t.call('GET', `${BASE}/nope/_export/definition`)).statusCode).toBe(404);
  });
});
