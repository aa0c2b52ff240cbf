import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BASE, keylessPlan, proxyApi, setup, type TestContext } from './helpers.js';

let t: TestContext;
beforeEach(async () => {
  t = await setup();
});
afterEach(() => t.close());

describe('the life of an API', () => {
  it('goes create -> plan -> publish -> deploy -> start -> stop -> delete', async () => {
    const created = await t.call('POST', BASE, proxyApi('/life', { visibility: 'PUBLIC', labels: ['demo'] }));
    expect(created.statusCode).toBe(201);
    const api = created.json();
    expect(api).toMatchObject({
      name: 'Echo',
      apiVersion: '1.0',
      definitionVersion: 'V4',
      type: 'PROXY',
      state: 'STOPPED',
      lifecycleState: 'CREATED',
      visibility: 'PUBLIC',
      labels: ['demo'],
      deploymentState: 'NEED_REDEPLOY',
      listeners: [{ type: 'HTTP', paths: [{ path: '/life' }] }],
    });
    expect(api.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(api.crossId).toMatch(/^[0-9a-f-]{36}$/);
    expect(api.primaryOwner).toMatchObject({ displayName: 'Admin', type: 'USER' });
    expect(created.headers.location).toContain(`/apis/${api.id}`);

    const planRes = await t.call('POST', `${BASE}/${api.id}/plans`, keylessPlan());
    expect(planRes.statusCode).toBe(201);
    const plan = planRes.json();
    expect(plan).toMatchObject({ apiId: api.id, status: 'STAGING', security: { type: 'KEY_LESS' }, order: 1 });

    // Staging plans are not listed by default (Gravitee lists PUBLISHED unless asked).
    expect((await t.call('GET', `${BASE}/${api.id}/plans`)).json().data).toEqual([]);
    const staging = await t.call('GET', `${BASE}/${api.id}/plans?statuses=STAGING,PUBLISHED`);
    expect(staging.json().data.map((p: { id: string }) => p.id)).toEqual([plan.id]);

    const published = await t.call('POST', `${BASE}/${api.id}/plans/${plan.id}/_publish`);
    expect(published.statusCode).toBe(200);
    expect(published.json()).toMatchObject({ id: plan.id, status: 'PUBLISHED' });
    expect(published.json().publishedAt).toBeTypeOf('string');
    expect((await t.call('POST', `${BASE}/${api.id}/plans/${plan.id}/_publish`)).statusCode).toBe(400);

    // Cannot start before a deployment.
    const early = await t.call('POST', `${BASE}/${api.id}/_start`);
    expect(early.statusCode).toBe(400);
    expect(early.json().technicalCode).toBe('api.notDeployed');

    const deployed = await t.call('POST', `${BASE}/${api.id}/deployments`, { deploymentLabel: 'first' });
    expect(deployed.statusCode).toBe(202);
    expect(deployed.json()).toMatchObject({ apiId: api.id, revision: 1, deploymentLabel: 'first' });
    const afterDeploy = (await t.call('GET', `${BASE}/${api.id}`)).json();
    expect(afterDeploy.deploymentState).toBe('DEPLOYED');
    expect(afterDeploy.deployedAt).toBeTypeOf('string');

    expect((await t.call('POST', `${BASE}/${api.id}/_start`)).statusCode).toBe(204);
    expect((await t.call('GET', `${BASE}/${api.id}`)).json().state).toBe('STARTED');
    const again = await t.call('POST', `${BASE}/${api.id}/_start`);
    expect(again.statusCode).toBe(400);
    expect(again.json().technicalCode).toBe('api.already.started');

    const refused = await t.call('DELETE', `${BASE}/${api.id}`);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().technicalCode).toBe('api.running');

    expect((await t.call('POST', `${BASE}/${api.id}/_stop`)).statusCode).toBe(204);
    expect((await t.call('GET', `${BASE}/${api.id}`)).json().state).toBe('STOPPED');
    expect((await t.call('POST', `${BASE}/${api.id}/_stop`)).statusCode).toBe(400);

    const events = await t.store.events.search({ apiIds: [api.id] });
    expect(events.data.map((e) => e.type)).toEqual(['PUBLISH_API', 'START_API', 'STOP_API']);
    expect(events.data.every((e) => e.properties.api_id === api.id && e.environmentId === 'DEFAULT')).toBe(true);

    expect((await t.call('DELETE', `${BASE}/${api.id}`)).statusCode).toBe(204);
    expect((await t.call('GET', `${BASE}/${api.id}`)).statusCode).toBe(404);
    expect(await t.store.plans.search({ apiId: api.id })).toEqual([]);
    expect((await t.store.deployments.findByApi(api.id)).totalCount).toBe(0);
    // One tombstone event remains so that gateways syncing by events drop the API.
    const left = await t.store.events.search({ apiIds: [api.id] });
    expect(left.data.map((e) => e.type)).toEqual(['UNPUBLISH_API']);
  });

  it('gets, replaces and lists APIs with Gravitee pagination and a text filter', async () => {
    const ids: string[] = [];
    for (const [i, name] of ['Alpha', 'Beta', 'Gamma'].entries()) {
      ids.push((await t.call('POST', BASE, proxyApi(`/p${i}`, { name }))).json().id);
    }
    const page = await t.call('GET', `${BASE}?page=2&perPage=2`);
    expect(page.statusCode).toBe(200);
    const body = page.json();
    expect(body.pagination).toEqual({ page: 2, perPage: 2, pageCount: 2, pageItemsCount: 1, totalCount: 3 });
    expect(body.links.self).toMatch(/\/apis\?page=2&perPage=2$/);
    expect(body.links.first).toMatch(/page=1/);
    expect(body.links.previous).toMatch(/page=1/);
    expect(body.links.next).toBeUndefined();
    expect(body.data[0].deploymentState).toBeUndefined();
    const expanded = await t.call('GET', `${BASE}?expands=deploymentState`);
    expect(expanded.json().data[0].deploymentState).toBe('NEED_REDEPLOY');

    const filtered = await t.call('GET', `${BASE}?q=gam`);
    expect(filtered.json().data.map((a: { name: string }) => a.name)).toEqual(['Gamma']);
    expect((await t.call('GET', `${BASE}?query=BETA`)).json().pagination.totalCount).toBe(1);
    expect((await t.call('GET', `${BASE}?page=9`)).statusCode).toBe(400);

    const replaced = await t.call(
      'PUT',
      `${BASE}/${ids[0]}`,
      proxyApi('/p0-renamed', { name: 'Alpha 2', apiVersion: '2.0', labels: ['x'], lifecycleState: 'PUBLISHED' }),
    );
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toMatchObject({
      id: ids[0],
      name: 'Alpha 2',
      apiVersion: '2.0',
      labels: ['x'],
      lifecycleState: 'PUBLISHED',
      listeners: [{ paths: [{ path: '/p0-renamed' }] }],
    });
    const typeChange = await t.call('PUT', `${BASE}/${ids[0]}`, proxyApi('/p0', { type: 'MESSAGE' }));
    expect(typeChange.statusCode).toBe(400);
    expect(typeChange.json().details).toContainEqual(expect.objectContaining({ location: '/type' }));
  });

  it('accepts the environment by id or hrid', async () => {
    const id = (await t.call('POST', BASE, proxyApi())).json().id;
    const byHrid = await t.call('GET', `/management/v2/environments/default/apis/${id}`);
    expect(byHrid.statusCode).toBe(200);
  });
});

describe('deployments', () => {
  it('snapshots the definition and the published plans, revision by revision', async () => {
    const api = (await t.call('POST', BASE, proxyApi('/snap'))).json();
    const free = (await t.call('POST', `${BASE}/${api.id}/plans`, keylessPlan('Free'))).json();
    await t.call('POST', `${BASE}/${api.id}/plans`, keylessPlan('Staging only'));
    await t.call('POST', `${BASE}/${api.id}/plans/${free.id}/_publish`);

    const first = await t.call('POST', `${BASE}/${api.id}/deployments`);
    expect(first.statusCode).toBe(202);
    expect(first.json().revision).toBe(1);

    const current = (await t.call('GET', `${BASE}/${api.id}/deployments/current`)).json();
    expect(current.revision).toBe(1);
    expect(current.definition.api).toMatchObject({
      id: api.id,
      name: 'Echo',
      apiVersion: '1.0',
      type: 'PROXY',
      definitionVersion: 'V4',
      tags: [],
      listeners: [{ paths: [{ path: '/snap' }] }],
    });
    expect(current.definition.api.state).toBeUndefined();
    expect(current.definition.plans).toHaveLength(1);
    expect(current.definition.plans[0]).toMatchObject({
      id: free.id,
      name: 'Free',
      status: 'PUBLISHED',
      security: { type: 'KEY_LESS' },
    });

    const event = (await t.store.events.search({ apiIds: [api.id], types: ['PUBLISH_API'] })).data[0]!;
    expect(event.properties.api_id).toBe(api.id);
    expect(event.payload.deploymentId).toBe(current.id);

    // A change to the definition needs a redeploy; the next deployment is revision 2.
    await t.call('PUT', `${BASE}/${api.id}`, proxyApi('/snap-v2'));
    expect((await t.call('GET', `${BASE}/${api.id}`)).json().deploymentState).toBe('NEED_REDEPLOY');
    expect((await t.call('POST', `${BASE}/${api.id}/deployments`, { deploymentLabel: 'v2' })).json().revision).toBe(2);
    expect((await t.call('GET', `${BASE}/${api.id}`)).json().deploymentState).toBe('DEPLOYED');

    // Publishing a plan changes what would be deployed.
    const gold = (await t.call('POST', `${BASE}/${api.id}/plans`, keylessPlan('Gold'))).json();
    expect((await t.call('GET', `${BASE}/${api.id}`)).json().deploymentState).toBe('DEPLOYED');
    await t.call('POST', `${BASE}/${api.id}/plans/${gold.id}/_publish`);
    expect((await t.call('GET', `${BASE}/${api.id}`)).json().deploymentState).toBe('NEED_REDEPLOY');

    const history = (await t.call('GET', `${BASE}/${api.id}/deployments`)).json();
    expect(history.data.map((d: { revision: number }) => d.revision)).toEqual([2, 1]);
    expect(history.data[0].deploymentLabel).toBe('v2');
    expect(history.pagination.totalCount).toBe(2);
    const one = await t.call('GET', `${BASE}/${api.id}/deployments/${history.data[1].id}`);
    expect(one.json().definition.api.listeners[0].paths[0].path).toBe('/snap');

    const label = await t.call('POST', `${BASE}/${api.id}/deployments`, { deploymentLabel: 'x'.repeat(33) });
    expect(label.statusCode).toBe(400);
    expect(label.json().details[0].location).toBe('/deploymentLabel');
  });

  it('answers 404 for the current deployment of a never-deployed API', async () => {
    const api = (await t.call('POST', BASE, proxyApi())).json();
    expect((await t.call('GET', `${BASE}/${api.id}/deployments/current`)).statusCode).toBe(404);
  });
});
