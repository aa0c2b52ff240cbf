import { readFixture } from '@apim/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE, keylessPlan, proxyApi, setup, type TestContext } from './helpers.js';
import { openApiErrors } from './openapi-schemas.js';

let t: TestContext;
let apiId: string;
let planId: string;
let importedId: string;
beforeAll(async () => {
  t = await setup();
  apiId = (await t.call('POST', BASE, proxyApi('/conformance', { labels: ['a'], categories: ['c'] }))).json().id;
  planId = (await t.call('POST', `${BASE}/${apiId}/plans`, keylessPlan())).json().id;
  await t.call('POST', `${BASE}/${apiId}/plans/${planId}/_publish`);
  await t.call('POST', `${BASE}/${apiId}/deployments`);
  importedId = (
    await t.call('POST', `${BASE}/_import/definition`, JSON.parse(readFixture('gravitee/v4-proxy-export.json')))
  ).json().id;
});
afterAll(() => t.close());

/** Checks a paginated list body: the envelope against the yaml's response, each item against `itemSchema`. */
function listErrors(body: { data: unknown[]; pagination: unknown; links: unknown }, itemSchema: string): string[] {
  return [
    ...openApiErrors('Pagination', body.pagination),
    ...openApiErrors('Links', body.links),
    ...body.data.flatMap((item) => openApiErrors(itemSchema, item)),
  ];
}

describe("responses match Gravitee's Management API v2 OpenAPI schemas", () => {
  it('(the validators do reject what the document forbids)', async () => {
    const api = (await t.call('GET', `${BASE}/${apiId}`)).json();
    expect(openApiErrors('ApiV4', { ...api, state: 'RUNNING' })).not.toEqual([]);
    expect(openApiErrors('ApiV4', { ...api, endpointGroups: 'x' })).not.toEqual([]);
    expect(openApiErrors('ApiV4', { ...api, visibility: 'HIDDEN' })).not.toEqual([]);
    expect(openApiErrors('PlanV4', { definitionVersion: 'V4', status: 'OPEN' })).not.toEqual([]);
    expect(openApiErrors('Pagination', { page: '1' })).not.toEqual([]);
  });

  it('ApiV4 (created, read, imported)', async () => {
    for (const id of [apiId, importedId]) {
      const res = await t.call('GET', `${BASE}/${id}`);
      expect(openApiErrors('ApiV4', res.json())).toEqual([]);
    }
    const created = await t.call('POST', BASE, proxyApi('/conformance-2'));
    expect(openApiErrors('ApiV4', created.json())).toEqual([]);
  });

  it('ApisResponse', async () => {
    const res = await t.call('GET', `${BASE}?perPage=1&expands=deploymentState`);
    expect(listErrors(res.json(), 'ApiV4')).toEqual([]);
  });

  it('PlanV4 and PlansResponse', async () => {
    const plan = await t.call('GET', `${BASE}/${apiId}/plans/${planId}`);
    expect(openApiErrors('PlanV4', plan.json())).toEqual([]);
    const list = await t.call('GET', `${BASE}/${importedId}/plans`);
    expect(list.json().data).toHaveLength(1);
    expect(listErrors(list.json(), 'PlanV4')).toEqual([]);
  });

  it('ExportApiV4', async () => {
    const res = await t.call('GET', `${BASE}/${importedId}/_export/definition`);
    expect(openApiErrors('ExportApiV4', res.json())).toEqual([]);
  });

  it('Error', async () => {
    const bodies = [
      (await t.call('GET', `${BASE}/nope`)).json(),
      (await t.call('POST', BASE, { name: 1 })).json(),
      (await t.app.inject({ method: 'GET', url: BASE })).json(),
    ];
    for (const body of bodies) expect(openApiErrors('Error', body)).toEqual([]);
  });
});
