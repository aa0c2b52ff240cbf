import type { ConfigStore, Repositories } from '@apim/core';
import { createConfigStore } from '@apim/repository-sql';
import { readJsonFixture } from '@apim/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildManagementApi, ensureDefaults } from '../src/index.js';
import { ADMIN_AUTH, ADMIN_PASSWORD, BASE, keylessPlan, proxyApi } from './helpers.js';

/**
 * The real store, whose transactions hand out repositories with one write failing, as a lost connection or a
 * constraint violation would make it fail in the middle of a multi-record write.
 */
function withFailingWrite(store: ConfigStore, fail: (repos: Repositories) => Repositories): ConfigStore {
  return {
    kind: store.kind,
    organizations: store.organizations,
    environments: store.environments,
    users: store.users,
    apis: store.apis,
    plans: store.plans,
    applications: store.applications,
    subscriptions: store.subscriptions,
    apiKeys: store.apiKeys,
    deployments: store.deployments,
    events: store.events,
    transaction: (fn) => store.transaction((repos) => fn(fail(repos))),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}

let store: ConfigStore;
beforeEach(async () => {
  store = await createConfigStore({ url: 'sqlite::memory:' });
  await ensureDefaults(store, { adminPassword: ADMIN_PASSWORD });
});
afterEach(() => store.close());

describe('multi-record writes', () => {
  it('an import whose second plan fails leaves no API and no plan', async () => {
    const broken = withFailingWrite(store, (repos) => {
      let created = 0;
      return {
        ...repos,
        plans: {
          ...repos.plans,
          create: async (plan) => {
            if (++created === 2) throw new Error('connection lost');
            return repos.plans.create(plan);
          },
        },
      };
    });
    const app = await buildManagementApi({ store: broken });
    const doc = readJsonFixture<{ plans: Record<string, unknown>[] }>('gravitee/v4-proxy-export.json');
    doc.plans.push({ ...doc.plans[0], id: 'second-plan', name: 'Second' });
    const res = await app.inject({
      method: 'POST',
      url: `${BASE}/_import/definition`,
      headers: { authorization: ADMIN_AUTH },
      payload: doc,
    });
    expect(res.statusCode).toBe(500);
    expect((await store.apis.search({})).totalCount).toBe(0);
    expect(await store.plans.search({})).toEqual([]);
    await app.close();
  });

  it('a deployment whose event fails leaves no snapshot and no deployedAt', async () => {
    const healthy = await buildManagementApi({ store });
    const headers = { authorization: ADMIN_AUTH };
    const api = (await healthy.inject({ method: 'POST', url: BASE, headers, payload: proxyApi() })).json();
    await healthy.inject({ method: 'POST', url: `${BASE}/${api.id}/plans`, headers, payload: keylessPlan() });
    await healthy.close();

    const broken = withFailingWrite(store, (repos) => ({
      ...repos,
      events: {
        ...repos.events,
        create: async () => {
          throw new Error('disk full');
        },
      },
    }));
    const app = await buildManagementApi({ store: broken });
    const res = await app.inject({ method: 'POST', url: `${BASE}/${api.id}/deployments`, headers });
    expect(res.statusCode).toBe(500);
    expect(await store.deployments.findLatest(api.id)).toBeUndefined();
    expect((await store.apis.findById(api.id))?.deployedAt ?? null).toBeNull();
    expect((await store.events.search({ apiIds: [api.id] })).totalCount).toBe(0);
    await app.close();
  });
});
