import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPS, apiKeyPlan, application, BASE, proxyApi, publishedPlan, setup, type TestContext } from './helpers.js';

let t: TestContext;
beforeEach(async () => {
  t = await setup();
});
afterEach(() => t.close());

describe('applications (Gravitee v1 paths and shapes)', () => {
  it('creates, reads, lists, updates and archives a SIMPLE application', async () => {
    const created = await t.call('POST', APPS, {
      name: 'Mobile',
      description: 'The mobile app',
      domain: 'https://m.example.com',
      settings: { app: { type: 'ios', client_id: 'mobile-client' } },
      picture: 'data:image/png;base64,iVBORw0KGgo=',
    });
    expect(created.statusCode).toBe(201);
    const app = created.json();
    expect(app).toMatchObject({
      name: 'Mobile',
      description: 'The mobile app',
      domain: 'https://m.example.com',
      type: 'SIMPLE',
      status: 'ACTIVE',
      api_key_mode: 'UNSPECIFIED',
      settings: { app: { type: 'ios', client_id: 'mobile-client' } },
      owner: { displayName: 'Admin', type: 'USER' },
      picture: 'data:image/png;base64,iVBORw0KGgo=',
    });
    expect(app.created_at).toBeTypeOf('number');
    expect(created.headers.location).toContain(`/applications/${app.id}`);

    expect((await t.call('GET', `${APPS}/${app.id}`)).json()).toEqual(app);
    await application(t, 'Another');
    const list = await t.call('GET', `${APPS}?query=mob`);
    expect(list.json().map((a: { id: string }) => a.id)).toEqual([app.id]);
    const paged = await t.call('GET', `${APPS}/_paged?page=1&size=1`);
    expect(paged.json()).toMatchObject({
      page: { current: 1, size: 1, per_page: 1, total_pages: 2, total_elements: 2 },
    });
    expect(paged.json().data[0].name).toBe('Another');

    const updated = await t.call('PUT', `${APPS}/${app.id}`, {
      name: 'Mobile 2',
      settings: { app: { client_id: 'mobile-client-2' } },
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ name: 'Mobile 2', settings: { app: { client_id: 'mobile-client-2' } } });
    expect(updated.json().description).toBeUndefined();

    expect((await t.call('DELETE', `${APPS}/${app.id}`)).statusCode).toBe(204);
    expect((await t.call('GET', `${APPS}/${app.id}`)).json().status).toBe('ARCHIVED');
    expect((await t.call('GET', APPS)).json()).toHaveLength(1);
    expect((await t.call('GET', `${APPS}?status=ARCHIVED`)).json()).toHaveLength(1);
    const frozen = await t.call('PUT', `${APPS}/${app.id}`, { name: 'x' });
    expect(frozen.statusCode).toBe(400);
    expect(frozen.json().technicalCode).toBe('application.archived');
  });

  it('keeps client ids unique among active applications of the environment', async () => {
    await application(t, 'One', { settings: { app: { client_id: 'shared-id' } } });
    const dup = await t.call('POST', APPS, { name: 'Two', settings: { app: { client_id: 'shared-id' } } });
    expect(dup.statusCode).toBe(400);
    expect(dup.json().technicalCode).toBe('application.clientId.duplicated');
    const twoId = await application(t, 'Two');
    const clash = await t.call('PUT', `${APPS}/${twoId}`, {
      name: 'Two',
      settings: { app: { client_id: 'shared-id' } },
    });
    expect(clash.json().technicalCode).toBe('application.clientId.duplicated');
    const oneId = (await t.call('GET', `${APPS}?query=One`)).json()[0].id;
    await t.call('DELETE', `${APPS}/${oneId}`);
    expect(
      (await t.call('PUT', `${APPS}/${twoId}`, { name: 'Two', settings: { app: { client_id: 'shared-id' } } }))
        .statusCode,
    ).toBe(200);
  });

  it('refuses what it does not support, and answers 404 for unknown ids', async () => {
    const oauth = await t.call('POST', APPS, {
      name: 'X',
      settings: { oauth: { grant_types: ['client_credentials'] } },
    });
    expect(oauth.statusCode).toBe(400);
    expect(oauth.json().technicalCode).toBe('application.type.unsupported');
    expect((await t.call('POST', APPS, { description: 'no name' })).statusCode).toBe(400);
    expect((await t.call('POST', APPS, { name: 'X', picture: 'http://x' })).statusCode).toBe(400);
    const shared = await t.call('POST', APPS, { name: 'X', api_key_mode: 'SHARED' });
    expect(shared.json().technicalCode).toBe('application.apiKeyMode.sharedNotAllowed');
    const missing = await t.call('GET', `${APPS}/nope`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().technicalCode).toBe('application.notFound');
    const otherOrg = await t.call('GET', '/management/organizations/OTHER/environments/DEFAULT/applications');
    expect(otherOrg.statusCode).toBe(404);
    expect((await t.call('GET', `${APPS}/nope/subscriptions`)).statusCode).toBe(404);
  });

  it('lists and creates the subscriptions of an application (v1)', async () => {
    const apiId = (await t.call('POST', BASE, proxyApi('/v1-subs'))).json().id;
    const planId = await publishedPlan(t, apiId, apiKeyPlan('Gold', { validation: 'AUTO' }));
    const appId = await application(t, 'Subscriber');
    const created = await t.call('POST', `${APPS}/${appId}/subscriptions?plan=${planId}`, { request: 'please' });
    expect(created.statusCode).toBe(201);
    const sub = created.json();
    expect(sub).toMatchObject({ api: apiId, plan: planId, application: appId, status: 'ACCEPTED', request: 'please' });
    expect(sub.keys[0].key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sub.created_at).toBeTypeOf('number');
    const again = await t.call('POST', `${APPS}/${appId}/subscriptions`, { plan: planId });
    expect(again.json().technicalCode).toBe('subscription.alreadyExists');

    const list = await t.call('GET', `${APPS}/${appId}/subscriptions?status=ACCEPTED`);
    expect(list.json()).toMatchObject({
      page: { current: 1, total_elements: 1 },
      metadata: { [apiId]: { name: 'Echo' } },
    });
    expect(list.json().data[0].id).toBe(sub.id);
    expect(list.json().data[0].keys).toBeUndefined();

    // Archiving the application closes its subscriptions and revokes their keys.
    await t.call('DELETE', `${APPS}/${appId}`);
    expect((await t.store.subscriptions.findById(sub.id))?.status).toBe('CLOSED');
    expect((await t.store.apiKeys.search({ subscriptionId: sub.id, includeRevoked: true }))[0]?.revoked).toBe(true);
  });
});
