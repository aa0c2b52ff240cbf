import { hashApiKey } from '@apim/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ADMIN_AUTH,
  APPS,
  apiKeyPlan,
  application,
  BASE,
  basic,
  keylessPlan,
  proxyApi,
  publishedPlan,
  setup,
  type TestContext,
} from './helpers.js';
import { openApiErrors } from './openapi-schemas.js';

let t: TestContext;
afterEach(() => t?.close());

const HOUR = 3_600_000;

async function world(options: Parameters<typeof setup>[0] = {}) {
  t = await setup(options);
  const apiId: string = (await t.call('POST', BASE, proxyApi('/subs'))).json().id;
  const auto = await publishedPlan(t, apiId, apiKeyPlan('Auto', { validation: 'AUTO' }));
  const manual = await publishedPlan(t, apiId, apiKeyPlan('Manual', { validation: 'MANUAL' }));
  const appId = await application(t, 'Consumer');
  return { apiId, auto, manual, appId, subs: `${BASE}/${apiId}/subscriptions` };
}

function expectConforms(schema: string, value: unknown) {
  expect(openApiErrors(schema, value)).toEqual([]);
}

async function eventsOf(apiId: string) {
  return (
    await t.store.events.search(
      { apiIds: [apiId], types: ['SUBSCRIPTION_CHANGED', 'API_KEY_CHANGED', 'PLAN_CHANGED'] },
      { perPage: 1000 },
    )
  ).data;
}

describe('subscriptions and API keys', () => {
  it('AUTO plan: accepted at once, the key shown once, stored hashed, events written', async () => {
    const w = await world();
    const res = await t.call('POST', w.subs, { planId: w.auto, applicationId: w.appId, consumerMessage: 'hi' });
    expect(res.statusCode).toBe(201);
    const sub = res.json();
    expectConforms('Subscription', sub);
    expect(sub).toMatchObject({
      api: { id: w.apiId },
      plan: { id: w.auto },
      application: { id: w.appId },
      status: 'ACCEPTED',
      consumerMessage: 'hi',
    });
    expect(sub.startingAt).toBe(sub.processedAt);
    expect(sub.processedBy.id).toBe(sub.subscribedBy.id);
    const clear: string = sub.apiKeys[0].key;
    expect(clear).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expectConforms('ApiKey', sub.apiKeys[0]);

    // Stored only as a hash and a mask; never in events.
    const stored = await t.store.apiKeys.search({ subscriptionId: sub.id });
    expect(stored).toHaveLength(1);
    expect(stored[0]!.keyHash).toBe(hashApiKey(clear));
    expect(stored[0]!.keyMask).toBe(`${clear.slice(0, 4)}${'*'.repeat(35)}${clear.slice(-4)}`);
    expect(JSON.stringify(stored)).not.toContain(clear);
    const events = await eventsOf(w.apiId);
    expect(JSON.stringify(events)).not.toContain(clear);
    expect(JSON.stringify(events)).not.toContain(stored[0]!.keyHash);
    expect(events.map((e) => `${e.type}:${e.properties.action}`).sort()).toEqual([
      'API_KEY_CHANGED:CREATED',
      'SUBSCRIPTION_CHANGED:CREATED',
    ]);
    expect(events[0]!.properties).toMatchObject({ api_id: w.apiId, subscription_id: sub.id, application_id: w.appId });

    // Listing and reading never show the clear key again.
    const keys = await t.call('GET', `${w.subs}/${sub.id}/api-keys`);
    expect(keys.statusCode).toBe(200);
    expect(keys.json().data[0]).toMatchObject({ key: stored[0]!.keyMask, revoked: false, expired: false });
    expect(keys.body).not.toContain(clear);
    for (const item of keys.json().data) expectConforms('ApiKey', item);
    const read = await t.call('GET', `${w.subs}/${sub.id}?expands=plan,application,subscribedBy,api`);
    expectConforms('Subscription', read.json());
    expect(read.json()).toMatchObject({
      plan: { name: 'Auto' },
      application: { name: 'Consumer' },
      subscribedBy: { displayName: 'Admin' },
    });
    expect(read.body).not.toContain(clear);
    const list = await t.call('GET', `${w.subs}?apiKey=${encodeURIComponent(clear)}`);
    expect(list.json().data.map((s: { id: string }) => s.id)).toEqual([sub.id]);
    expect((await t.call('GET', `${w.subs}?apiKey=unknown-key`)).json().data).toEqual([]);
    for (const item of list.json().data) expectConforms('Subscription', item);
    expectConforms('Pagination', list.json().pagination);

    // One live subscription per application and plan.
    const dup = await t.call('POST', w.subs, { planId: w.auto, applicationId: w.appId });
    expect(dup.statusCode).toBe(400);
    expect(dup.json().technicalCode).toBe('subscription.alreadyExists');
    expectConforms('Error', dup.json());
  });

  it('MANUAL plan: PENDING, then accepted (key shown in that response) or rejected', async () => {
    const w = await world();
    const pending = (await t.call('POST', w.subs, { planId: w.manual, applicationId: w.appId })).json();
    expect(pending.status).toBe('PENDING');
    expect(pending.apiKeys).toBeUndefined();
    expect(await t.store.apiKeys.search({ subscriptionId: pending.id })).toEqual([]);
    expect((await t.call('POST', `${w.subs}/${pending.id}/_pause`)).json().technicalCode).toBe(
      'subscription.status.invalid',
    );

    const endingAt = new Date(Date.now() + 30 * 24 * HOUR).toISOString();
    const accepted = await t.call('POST', `${w.subs}/${pending.id}/_accept`, { reason: 'welcome', endingAt });
    expect(accepted.statusCode).toBe(200);
    expectConforms('Subscription', accepted.json());
    expect(accepted.json()).toMatchObject({ status: 'ACCEPTED', publisherMessage: 'welcome', endingAt });
    expect(accepted.json().apiKeys[0]).toMatchObject({ expireAt: endingAt });
    expect(accepted.json().apiKeys[0].key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const twice = await t.call('POST', `${w.subs}/${pending.id}/_accept`);
    expect(twice.statusCode).toBe(400);
    expect(twice.json().technicalCode).toBe('subscription.status.invalid');

    const other = await application(t, 'Other');
    const toReject = (await t.call('POST', w.subs, { planId: w.manual, applicationId: other })).json();
    const rejected = await t.call('POST', `${w.subs}/${toReject.id}/_reject`, { reason: 'no' });
    expect(rejected.json()).toMatchObject({ status: 'REJECTED', publisherMessage: 'no' });
    expect(rejected.json().processedAt).toBeTypeOf('string');
    expect((await t.call('POST', `${w.subs}/${toReject.id}/_close`)).statusCode).toBe(400);
    // A rejected subscription frees the pair.
    expect((await t.call('POST', w.subs, { planId: w.manual, applicationId: other })).statusCode).toBe(201);

    const filtered = await t.call('GET', `${w.subs}?statuses=REJECTED,ACCEPTED&applicationIds=${other}`);
    expect(filtered.json().data.map((s: { status: string }) => s.status)).toEqual(['REJECTED']);
    expect((await t.call('GET', `${w.subs}?statuses=BOGUS`)).statusCode).toBe(400);
    expect((await t.call('GET', `${w.subs}?planIds=${w.manual}`)).json().pagination.totalCount).toBe(3);
  });

  it('pauses and resumes a subscription with its key; closes it and revokes the key', async () => {
    const w = await world();
    const sub = (await t.call('POST', w.subs, { planId: w.auto, applicationId: w.appId })).json();
    const paused = await t.call('POST', `${w.subs}/${sub.id}/_pause`);
    expect(paused.json()).toMatchObject({ status: 'PAUSED' });
    expect(paused.json().pausedAt).toBeTypeOf('string');
    expect((await t.store.apiKeys.search({ subscriptionId: sub.id }))[0]!.paused).toBe(true);
    expect((await t.call('POST', `${w.subs}/${sub.id}/_pause`)).statusCode).toBe(400);
    const resumed = await t.call('POST', `${w.subs}/${sub.id}/_resume`);
    expect(resumed.json().status).toBe('ACCEPTED');
    expect(resumed.json().pausedAt).toBeUndefined();
    expect((await t.store.apiKeys.search({ subscriptionId: sub.id }))[0]!.paused).toBe(false);
    expect((await t.call('POST', `${w.subs}/${sub.id}/_resume`)).statusCode).toBe(400);

    const closed = await t.call('POST', `${w.subs}/${sub.id}/_close`);
    expect(closed.json().status).toBe('CLOSED');
    expect(closed.json().closedAt).toBeTypeOf('string');
    const [key] = await t.store.apiKeys.search({ subscriptionId: sub.id, includeRevoked: true });
    expect(key).toMatchObject({ revoked: true });
    expect((await t.call('POST', `${w.subs}/${sub.id}/_close`)).statusCode).toBe(400);
    expect((await t.call('PUT', `${w.subs}/${sub.id}`, {})).statusCode).toBe(400);
    const actions = (await eventsOf(w.apiId)).map((e) => `${e.type}:${e.properties.action}`);
    for (const expected of [
      'SUBSCRIPTION_CHANGED:PAUSED',
      'API_KEY_CHANGED:PAUSED',
      'SUBSCRIPTION_CHANGED:RESUMED',
      'API_KEY_CHANGED:RESUMED',
      'SUBSCRIPTION_CHANGED:CLOSED',
      'API_KEY_CHANGED:REVOKED',
    ]) {
      expect(actions).toContain(expected);
    }
  });

  it('renews a key with a grace period, revokes, reactivates and sets the expiry of keys', async () => {
    const w = await world({ subscriptions: { apiKeyRenewalGracePeriodMs: HOUR } });
    const sub = (await t.call('POST', w.subs, { planId: w.auto, applicationId: w.appId })).json();
    const first = sub.apiKeys[0];
    const before = Date.now();
    const renewed = await t.call('POST', `${w.subs}/${sub.id}/api-keys/_renew`);
    expect(renewed.statusCode).toBe(200);
    expectConforms('ApiKey', renewed.json());
    const second = renewed.json();
    expect(second.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second.key).not.toBe(first.key);
    const old = await t.store.apiKeys.findById(first.id);
    expect(old!.revoked).toBe(false);
    const grace = Date.parse(old!.expireAt!) - before;
    expect(grace).toBeGreaterThan(HOUR - 5000);
    expect(grace).toBeLessThanOrEqual(HOUR + 5000);
    const listed = (await t.call('GET', `${w.subs}/${sub.id}/api-keys`)).json();
    expect(listed.data.map((k: { id: string }) => k.id)).toEqual([second.id, first.id]);
    expect(JSON.stringify(listed)).not.toContain(second.key);

    const custom = await t.call('POST', `${w.subs}/${sub.id}/api-keys/_renew`, { customApiKey: 'my.custom-key_01' });
    expect(custom.json().key).toBe('my.custom-key_01');
    const reused = await t.call('POST', `${w.subs}/${sub.id}/api-keys/_renew`, { customApiKey: 'my.custom-key_01' });
    expect(reused.json().technicalCode).toBe('apiKey.alreadyExists');
    const bad = await t.call('POST', `${w.subs}/${sub.id}/api-keys/_renew`, { customApiKey: 'short' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details[0].location).toBe('/customApiKey');

    const revoked = await t.call('POST', `${w.subs}/${sub.id}/api-keys/${second.id}/_revoke`);
    expect(revoked.json()).toMatchObject({ id: second.id, revoked: true });
    expect(revoked.json().revokedAt).toBeTypeOf('string');
    expect((await t.call('POST', `${w.subs}/${sub.id}/api-keys/${second.id}/_revoke`)).json().technicalCode).toBe(
      'apiKey.alreadyRevoked',
    );
    const expireAt = new Date(Date.now() + 10 * HOUR).toISOString();
    expect((await t.call('PUT', `${w.subs}/${sub.id}/api-keys/${second.id}`, { expireAt })).json().technicalCode).toBe(
      'apiKey.revoked',
    );
    const reactivated = await t.call('POST', `${w.subs}/${sub.id}/api-keys/${second.id}/_reactivate`);
    expect(reactivated.json()).toMatchObject({ revoked: false });
    expect(reactivated.json().revokedAt).toBeUndefined();
    expect((await t.call('POST', `${w.subs}/${sub.id}/api-keys/${second.id}/_reactivate`)).json().technicalCode).toBe(
      'apiKey.alreadyActive',
    );

    const expiry = await t.call('PUT', `${w.subs}/${sub.id}/api-keys/${second.id}`, { expireAt });
    expect(expiry.json()).toMatchObject({ expireAt });
    const past = await t.call('PUT', `${w.subs}/${sub.id}/api-keys/${second.id}`, { expireAt: '2001-01-01T00:00:00Z' });
    expect(past.json().technicalCode).toBe('apiKey.expireAt.invalid');
    expect((await t.call('PUT', `${w.subs}/${sub.id}/api-keys/${second.id}`, { expireAt: 'soon' })).statusCode).toBe(
      400,
    );
    const actions = (await eventsOf(w.apiId)).map((e) => e.properties.action);
    for (const a of ['RENEWED', 'EXPIRE_AT_CHANGED', 'REVOKED', 'REACTIVATED']) expect(actions).toContain(a);
  });

  it('a subscription end date is followed by its key, and an ended subscription is closed', async () => {
    const w = await world({ subscriptions: { expiryCheckIntervalMs: 50 } });
    const sub = (await t.call('POST', w.subs, { planId: w.auto, applicationId: w.appId })).json();
    const endingAt = new Date(Date.now() + 5 * HOUR).toISOString();
    const updated = await t.call('PUT', `${w.subs}/${sub.id}`, { endingAt, metadata: { team: 'a' } });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ endingAt, metadata: { team: 'a' } });
    expect((await t.store.apiKeys.search({ subscriptionId: sub.id }))[0]!.expireAt).toBe(endingAt);
    const wrong = await t.call('PUT', `${w.subs}/${sub.id}`, { endingAt: '2001-01-01T00:00:00Z' });
    expect(wrong.json().technicalCode).toBe('subscription.endingAt.invalid');

    const stored = (await t.store.subscriptions.findById(sub.id))!;
    await t.store.subscriptions.update({ ...stored, endingAt: new Date(Date.now() - 1000).toISOString() });
    await expect
      .poll(async () => (await t.store.subscriptions.findById(sub.id))?.status, { timeout: 3000 })
      .toBe('CLOSED');
    const actions = (await eventsOf(w.apiId)).map((e) => `${e.type}:${e.properties.action}`);
    expect(actions).toContain('SUBSCRIPTION_CHANGED:ENDED');
    expect(actions).toContain('API_KEY_CHANGED:REVOKED');
  });

  it('transfers a subscription to another published plan with the same security', async () => {
    const w = await world();
    const keyless = await publishedPlan(t, w.apiId, keylessPlan());
    const staging = (await t.call('POST', `${BASE}/${w.apiId}/plans`, apiKeyPlan('Staging'))).json().id;
    const sub = (await t.call('POST', w.subs, { planId: w.auto, applicationId: w.appId })).json();
    const keyBefore = await t.store.apiKeys.search({ subscriptionId: sub.id });

    const mismatch = await t.call('POST', `${w.subs}/${sub.id}/_transfer`, { planId: keyless });
    expect(mismatch.json().technicalCode).toBe('subscription.transfer.securityMismatch');
    expect((await t.call('POST', `${w.subs}/${sub.id}/_transfer`, { planId: staging })).json().technicalCode).toBe(
      'plan.notPublished',
    );
    expect((await t.call('POST', `${w.subs}/${sub.id}/_transfer`, { planId: w.auto })).json().technicalCode).toBe(
      'subscription.transfer.samePlan',
    );
    expect((await t.call('POST', `${w.subs}/${sub.id}/_transfer`, { planId: 'nope' })).statusCode).toBe(404);
    const moved = await t.call('POST', `${w.subs}/${sub.id}/_transfer`, { planId: w.manual });
    expect(moved.statusCode).toBe(200);
    expect(moved.json()).toMatchObject({ plan: { id: w.manual }, status: 'ACCEPTED' });
    expect(await t.store.apiKeys.search({ subscriptionId: sub.id })).toEqual(keyBefore);
    const event = (await eventsOf(w.apiId)).find((e) => e.properties.action === 'TRANSFERRED');
    expect(event?.properties).toMatchObject({ plan_id: w.manual, previous_plan_id: w.auto });
  });

  it('refuses keyless, unpublished and commentRequired plans without a message', async () => {
    const w = await world();
    const keyless = await publishedPlan(t, w.apiId, keylessPlan());
    const staging = (await t.call('POST', `${BASE}/${w.apiId}/plans`, apiKeyPlan('Staging'))).json().id;
    const commented = await publishedPlan(t, w.apiId, apiKeyPlan('Commented', { commentRequired: true }));
    expect((await t.call('POST', w.subs, { planId: keyless, applicationId: w.appId })).json().technicalCode).toBe(
      'plan.notSubscribable',
    );
    expect((await t.call('POST', w.subs, { planId: staging, applicationId: w.appId })).json().technicalCode).toBe(
      'plan.notPublished',
    );
    const silent = await t.call('POST', w.subs, { planId: commented, applicationId: w.appId, consumerMessage: ' ' });
    expect(silent.statusCode).toBe(400);
    expect(silent.json()).toMatchObject({ technicalCode: 'subscription.consumerMessage.required' });
    expect(silent.json().details[0].location).toBe('/consumerMessage');
    const polite = await t.call('POST', w.subs, {
      planId: commented,
      applicationId: w.appId,
      consumerMessage: 'Please',
    });
    expect(polite.statusCode).toBe(201);
    const badKey = await t.call('POST', w.subs, { planId: w.auto, applicationId: w.appId, customApiKey: 'bad key!' });
    expect(badKey.json().technicalCode).toBe('apiKey.invalid');
    const custom = await t.call('POST', w.subs, { planId: w.auto, applicationId: w.appId, customApiKey: 'abcdefgh' });
    expect(custom.json().apiKeys[0].key).toBe('abcdefgh');
    expect((await t.store.apiKeys.search({ subscriptionId: custom.json().id }))[0]!.keyMask).toBe('********');
  });

  it('answers 404 for unknown ids', async () => {
    const w = await world();
    const sub = (await t.call('POST', w.subs, { planId: w.auto, applicationId: w.appId })).json();
    const cases: [string, string, unknown, string][] = [
      ['GET', `${BASE}/nope/subscriptions`, undefined, 'api.notFound'],
      ['GET', `${w.subs}/nope`, undefined, 'subscription.notFound'],
      ['POST', w.subs, { planId: 'nope', applicationId: w.appId }, 'plan.notFound'],
      ['POST', w.subs, { planId: w.auto, applicationId: 'nope' }, 'application.notFound'],
      ['POST', `${w.subs}/nope/_accept`, {}, 'subscription.notFound'],
      ['GET', `${w.subs}/nope/api-keys`, undefined, 'subscription.notFound'],
      ['POST', `${w.subs}/${sub.id}/api-keys/nope/_revoke`, undefined, 'apiKey.notFound'],
      ['PUT', `${w.subs}/${sub.id}/api-keys/nope`, {}, 'apiKey.notFound'],
      ['POST', `${BASE}/nope/subscriptions/${sub.id}/_close`, undefined, 'api.notFound'],
      ['POST', `${BASE}/${w.apiId}/plans/nope/_close`, undefined, 'plan.notFound'],
    ];
    for (const [method, url, body, code] of cases) {
      const res = await t.call(method as 'GET', url, body);
      expect([url, res.statusCode, res.json().technicalCode]).toEqual([url, 404, code]);
    }
  });

  it('shares one key across the API-key subscriptions of a SHARED application', async () => {
    const w = await world({ subscriptions: { allowSharedApiKeys: true } });
    const api2: string = (await t.call('POST', BASE, proxyApi('/subs-2'))).json().id;
    const plan2 = await publishedPlan(t, api2, apiKeyPlan('Other', { validation: 'AUTO' }));
    const first = (
      await t.call('POST', w.subs, { planId: w.auto, applicationId: w.appId, apiKeyMode: 'SHARED' })
    ).json();
    expect(first.apiKeys[0].key).toBeTypeOf('string');
    expect((await t.call('GET', `${APPS}/${w.appId}`)).json().api_key_mode).toBe('SHARED');
    const second = await t.call('POST', `${BASE}/${api2}/subscriptions`, { planId: plan2, applicationId: w.appId });
    expect(second.statusCode).toBe(201);
    expect(second.json().apiKeys).toBeUndefined();
    const keys = await t.store.apiKeys.search({ applicationId: w.appId });
    expect(keys).toHaveLength(1);
    expect(keys[0]!.subscriptionIds).toEqual([first.id, second.json().id]);
    const locked = await t.call('PUT', `${APPS}/${w.appId}`, { name: 'Consumer', api_key_mode: 'EXCLUSIVE' });
    expect(locked.json().technicalCode).toBe('application.apiKeyMode.locked');

    // Closing one subscription keeps the shared key for the other; closing the last revokes it.
    await t.call('POST', `${w.subs}/${first.id}/_close`);
    expect((await t.store.apiKeys.findById(keys[0]!.id))!.revoked).toBe(false);
    await t.call('POST', `${BASE}/${api2}/subscriptions/${second.json().id}/_close`);
    expect((await t.store.apiKeys.findById(keys[0]!.id))!.revoked).toBe(true);
    // Events for the shared key name the API of each subscription.
    const added = (await t.store.events.search({ apiIds: [api2], types: ['API_KEY_CHANGED'] })).data;
    expect(added.map((e) => e.properties.action)).toEqual(['SUBSCRIPTION_ADDED', 'REVOKED']);
  });

  it('refuses the SHARED mode when the environment does not allow it', async () => {
    const w = await world();
    const res = await t.call('POST', w.subs, { planId: w.auto, applicationId: w.appId, apiKeyMode: 'SHARED' });
    expect(res.statusCode).toBe(400);
    expect(res.json().technicalCode).toBe('application.apiKeyMode.sharedNotAllowed');
    expect(await t.store.subscriptions.search({ applicationId: w.appId })).toMatchObject({ totalCount: 0 });
  });

  it('requires permissions: a user without a role is refused every route', async () => {
    const w = await world();
    const admin = (await t.store.users.findBySource('DEFAULT', 'memory', 'admin'))!;
    await t.store.users.create({ ...admin, id: 'reader', sourceId: 'reader', roles: ['USER'] });
    const headers = { authorization: basic('reader', 'test-admin-password') };
    const sub = (await t.call('POST', w.subs, { planId: w.auto, applicationId: w.appId })).json();
    const cases: [string, string, string][] = [
      ['GET', w.subs, 'API_SUBSCRIPTION[READ]'],
      ['POST', w.subs, 'API_SUBSCRIPTION[CREATE]'],
      ['POST', `${w.subs}/${sub.id}/_close`, 'API_SUBSCRIPTION[UPDATE]'],
      ['POST', `${w.subs}/${sub.id}/api-keys/_renew`, 'API_SUBSCRIPTION[UPDATE]'],
      ['GET', `${w.subs}/${sub.id}/api-keys`, 'API_SUBSCRIPTION[READ]'],
      ['POST', `${BASE}/${w.apiId}/plans/${w.auto}/_close`, 'API_PLAN[UPDATE]'],
      ['DELETE', `${BASE}/${w.apiId}/plans/${w.auto}`, 'API_PLAN[DELETE]'],
      ['GET', APPS, 'ENVIRONMENT_APPLICATION[READ]'],
      ['POST', APPS, 'ENVIRONMENT_APPLICATION[CREATE]'],
      ['DELETE', `${APPS}/${w.appId}`, 'APPLICATION_DEFINITION[DELETE]'],
      ['POST', `${APPS}/${w.appId}/subscriptions`, 'APPLICATION_SUBSCRIPTION[CREATE]'],
    ];
    for (const [method, url, permission] of cases) {
      const res = await t.app.inject({ method: method as 'GET', url, headers, payload: {} });
      expect([url, res.statusCode, res.json().parameters?.permission]).toEqual([url, 403, permission]);
    }
    expect((await t.store.subscriptions.findById(sub.id))?.status).toBe('ACCEPTED');
    expect(
      (await t.app.inject({ method: 'GET', url: w.subs, headers: { authorization: ADMIN_AUTH } })).statusCode,
    ).toBe(200);
  });
});

describe('plan lifecycle', () => {
  it('updates, deprecates, closes (closing subscriptions, revoking keys) and deletes plans', async () => {
    const w = await world();
    const plans = `${BASE}/${w.apiId}/plans`;
    const updated = await t.call('PUT', `${plans}/${w.auto}`, {
      definitionVersion: 'V4',
      name: 'Auto 2',
      description: 'Renamed',
      security: { configuration: { propagateApiKey: true } },
      tags: ['public'],
      commentRequired: false,
    });
    expect(updated.statusCode).toBe(200);
    expectConforms('PlanV4', updated.json());
    expect(updated.json()).toMatchObject({
      name: 'Auto 2',
      description: 'Renamed',
      status: 'PUBLISHED',
      validation: 'AUTO',
      security: { type: 'API_KEY', configuration: { propagateApiKey: true } },
      tags: ['public'],
    });
    const retype = await t.call('PUT', `${plans}/${w.auto}`, {
      definitionVersion: 'V4',
      name: 'x',
      security: { type: 'KEY_LESS' },
    });
    expect(retype.statusCode).toBe(400);
    expect(retype.json().details[0].location).toBe('/security/type');
    const invalid = await t.call('PUT', `${plans}/${w.auto}`, {
      definitionVersion: 'V4',
      name: 'x',
      flows: [{ request: 'x' }],
    });
    expect(invalid.statusCode).toBe(400);

    const sub = (await t.call('POST', w.subs, { planId: w.auto, applicationId: w.appId })).json();
    const deprecated = await t.call('POST', `${plans}/${w.auto}/_deprecate`);
    expect(deprecated.json().status).toBe('DEPRECATED');
    expectConforms('PlanV4', deprecated.json());
    expect((await t.call('POST', `${plans}/${w.auto}/_deprecate`)).json().technicalCode).toBe('plan.status.invalid');
    const other = await application(t, 'Late');
    expect((await t.call('POST', w.subs, { planId: w.auto, applicationId: other })).json().technicalCode).toBe(
      'plan.notPublished',
    );
    const refused = await t.call('DELETE', `${plans}/${w.auto}`);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().technicalCode).toBe('plan.status.invalid');

    const closed = await t.call('POST', `${plans}/${w.auto}/_close`);
    expect(closed.statusCode).toBe(200);
    expectConforms('PlanV4', closed.json());
    expect(closed.json().status).toBe('CLOSED');
    expect(closed.json().closedAt).toBeTypeOf('string');
    expect((await t.store.subscriptions.findById(sub.id))?.status).toBe('CLOSED');
    expect((await t.store.apiKeys.search({ subscriptionId: sub.id, includeRevoked: true }))[0]!.revoked).toBe(true);
    const events = (await eventsOf(w.apiId)).map((e) => `${e.type}:${e.properties.action}`);
    for (const e of [
      'PLAN_CHANGED:DEPRECATED',
      'PLAN_CHANGED:CLOSED',
      'SUBSCRIPTION_CHANGED:CLOSED',
      'API_KEY_CHANGED:REVOKED',
    ]) {
      expect(events).toContain(e);
    }
    expect((await t.call('POST', `${plans}/${w.auto}/_close`)).json().technicalCode).toBe('plan.status.invalid');
    expect(
      (await t.call('PUT', `${plans}/${w.auto}`, { definitionVersion: 'V4', name: 'x' })).json().technicalCode,
    ).toBe('plan.status.invalid');
    expect((await t.call('DELETE', `${plans}/${w.auto}`)).statusCode).toBe(204);
    expect((await t.call('GET', `${plans}/${w.auto}`)).statusCode).toBe(404);

    const staging = (await t.call('POST', plans, apiKeyPlan('Staging'))).json().id;
    expect((await t.call('DELETE', `${plans}/${staging}`)).statusCode).toBe(204);
  });
});
