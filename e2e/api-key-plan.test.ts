import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EchoUpstream, readJsonFixture, startEchoUpstream } from '@apim/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApimProcess, eventually, freePort, startApim } from './support/process.js';
import { manage, type Urls } from './support/scenario.js';

/**
 * Gravitee's bench definition `2-api-key-v4.json` on `apim start` (management API and a gateway cluster of two
 * workers on SQLite): an application subscribes, gets its key once, and the gateway follows every change of the key
 * and the plan within a second.
 */
describe('API-key plan end to end (apim start, two gateway workers)', () => {
  let dataDir: string;
  let upstream: EchoUpstream;
  let apim: ApimProcess | undefined;
  let urls: Urls;
  let apiId: string;
  let planId: string;
  let subscriptionId: string;
  let key: string;
  let keyId: string;

  const call = async (apiKey?: string) => {
    const response = await fetch(`${urls.gateway}/apikey/items`, {
      headers: { accept: 'application/json', ...(apiKey === undefined ? {} : { 'X-Gravitee-Api-Key': apiKey }) },
    });
    const text = await response.text();
    return { status: response.status, body: text };
  };

  /** Time for the gateway to answer `status` to `apiKey`, failing after `timeoutMs`. */
  const within = (apiKey: string | undefined, status: number, timeoutMs = 1_000) =>
    eventually(async () => (await call(apiKey)).status === status, timeoutMs, `key -> ${status}`);

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'apim-e2e-keys-'));
    upstream = await startEchoUpstream();
    const [gatewayPort, managementPort, nodePort] = [await freePort(), await freePort(), await freePort()];
    urls = {
      gateway: `http://127.0.0.1:${gatewayPort}`,
      management: `http://127.0.0.1:${managementPort}`,
      password: 'e2e-admin-secret',
    };
    apim = await startApim('start', {
      APIM_DATA_DIR: dataDir,
      APIM_GATEWAY_PORT: String(gatewayPort),
      APIM_MANAGEMENT_PORT: String(managementPort),
      APIM_NODE_PORT: String(nodePort),
      APIM_GATEWAY_HOST: '127.0.0.1',
      APIM_MANAGEMENT_HOST: '127.0.0.1',
      APIM_ADMIN_PASSWORD: urls.password,
      APIM_GATEWAY_WORKERS: '2',
    });
  });

  afterAll(async () => {
    await apim?.stop('SIGKILL');
    await upstream?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('imports, deploys and starts the API: without a key the gateway answers 401', async () => {
    const definition = readJsonFixture<{
      api: { endpointGroups: { endpoints: { configuration: { target: string } }[] }[] };
    }>('gravitee/bench/2-api-key-v4.json');
    definition.api.endpointGroups[0]!.endpoints[0]!.configuration.target = `${upstream.url}/backend`;
    const imported = await manage(urls, 'POST', '/apis/_import/definition', definition);
    expect(imported.status, JSON.stringify(imported.json)).toBe(201);
    apiId = imported.json.id as string;
    expect([200, 202]).toContain((await manage(urls, 'POST', `/apis/${apiId}/deployments`, {})).status);
    const current = await manage(urls, 'GET', `/apis/${apiId}`);
    if (current.json.state !== 'STARTED')
      expect((await manage(urls, 'POST', `/apis/${apiId}/_start`)).status).toBe(204);
    const plans = await manage(urls, 'GET', `/apis/${apiId}/plans`);
    planId = (plans.json.data as { id: string }[])[0]!.id;
    await within(undefined, 401, 5_000);
    const refused = await call();
    expect(JSON.parse(refused.body)).toEqual({ message: 'Unauthorized', http_status_code: 401 });
    expect(upstream.requests.filter((r) => r.url.startsWith('/backend'))).toHaveLength(0);
  });

  it('an application subscribes and gets its key once; the key is served within a second', async () => {
    const created = await fetch(
      `${urls.management}/management/organizations/DEFAULT/environments/DEFAULT/applications`,
      {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`admin:${urls.password}`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ name: 'Mobile app', description: 'The e2e consumer' }),
      },
    );
    expect(created.status).toBe(201);
    const application = (await created.json()) as { id: string };
    const subscribed = await manage(urls, 'POST', `/apis/${apiId}/subscriptions`, {
      planId,
      applicationId: application.id,
    });
    expect(subscribed.status, JSON.stringify(subscribed.json)).toBe(201);
    subscriptionId = subscribed.json.id as string;
    const keys = subscribed.json.apiKeys as { id: string; key: string }[];
    key = keys[0]!.key;
    keyId = keys[0]!.id;
    const listed = await manage(urls, 'GET', `/apis/${apiId}/subscriptions/${subscriptionId}/api-keys`);
    expect(JSON.stringify(listed.json)).not.toContain(key);
    expect(await within(key, 200)).toBeLessThan(1_000);
    const served = await call(key);
    expect(served.status).toBe(200);
    expect(JSON.parse(served.body).url).toBe('/backend/items');
    expect(JSON.parse(served.body).headers['x-gravitee-api-key']).toBeUndefined();
    expect((await call(`${key}-wrong`)).status).toBe(401);
  });

  it('a revoked key is refused within a second, a reactivated one served again', async () => {
    const revoked = await manage(
      urls,
      'POST',
      `/apis/${apiId}/subscriptions/${subscriptionId}/api-keys/${keyId}/_revoke`,
    );
    expect(revoked.status, JSON.stringify(revoked.json)).toBe(200);
    expect(await within(key, 401)).toBeLessThan(1_000);
    expect(JSON.parse((await call(key)).body).message).toBe('API Key is not valid or is expired / revoked.');
    await manage(urls, 'POST', `/apis/${apiId}/subscriptions/${subscriptionId}/api-keys/${keyId}/_reactivate`);
    expect(await within(key, 200)).toBeLessThan(1_000);
  });

  it('a renewed key is served, and the old one keeps working for the grace period', async () => {
    const renewed = await manage(urls, 'POST', `/apis/${apiId}/subscriptions/${subscriptionId}/api-keys/_renew`);
    expect(renewed.status, JSON.stringify(renewed.json)).toBe(200);
    const fresh = renewed.json.key as string;
    expect(fresh).not.toBe(key);
    expect(await within(fresh, 200)).toBeLessThan(1_000);
    expect((await call(key)).status).toBe(200);
  });

  it('closing the plan closes the subscription: every key is refused within a second', async () => {
    const closed = await manage(urls, 'POST', `/apis/${apiId}/plans/${planId}/_close`);
    expect(closed.status, JSON.stringify(closed.json)).toBe(200);
    expect(await within(key, 401)).toBeLessThan(1_000);
    const subscription = await manage(urls, 'GET', `/apis/${apiId}/subscriptions/${subscriptionId}`);
    expect(subscription.json.status).toBe('CLOSED');
  });
});
