import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EchoUpstream, startEchoUpstream } from '@apim/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApimProcess, eventually, freePort, startApim } from './support/process.js';
import { assertProxiesIntact, importDeployStart, manage, type Urls, waitForStatus } from './support/scenario.js';

// `apim start` as a real process on a temporary data dir: import, deploy, call, stop, restart.
describe('apim start (all in one, SQLite)', () => {
  let dataDir: string;
  let upstream: EchoUpstream;
  let apim: ApimProcess | undefined;
  let env: Record<string, string>;
  let urls: Urls;
  let nodeUrl: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'apim-e2e-'));
    upstream = await startEchoUpstream();
    const [gatewayPort, managementPort, nodePort] = [await freePort(), await freePort(), await freePort()];
    nodeUrl = `http://127.0.0.1:${nodePort}`;
    env = {
      APIM_NODE_PORT: String(nodePort),
      APIM_NODE_PASSWORD: 'e2e-node-secret',
      APIM_DATA_DIR: dataDir,
      APIM_GATEWAY_PORT: String(gatewayPort),
      APIM_MANAGEMENT_PORT: String(managementPort),
      APIM_GATEWAY_HOST: '127.0.0.1',
      APIM_MANAGEMENT_HOST: '127.0.0.1',
      APIM_ADMIN_PASSWORD: 'e2e-admin-secret',
    };
    urls = {
      gateway: `http://127.0.0.1:${gatewayPort}`,
      management: `http://127.0.0.1:${managementPort}`,
      password: env.APIM_ADMIN_PASSWORD as string,
    };
    apim = await startApim('start', env);
  });

  afterAll(async () => {
    await apim?.stop('SIGKILL');
    await upstream?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints the URLs and the admin login', () => {
    expect(apim?.output()).toContain(urls.gateway.replace('127.0.0.1', '127.0.0.1'));
    expect(apim?.output()).toContain('Admin login');
    expect(apim?.output()).not.toContain('e2e-admin-secret');
  });

  it('runs the authenticated node service, healthy once synced', async () => {
    expect((await fetch(`${nodeUrl}/_node/health`)).status).toBe(401);
    const health = await fetch(`${nodeUrl}/_node/health`, {
      headers: { authorization: `Basic ${Buffer.from('admin:e2e-node-secret').toString('base64')}` },
    });
    expect(health.status).toBe(200);
    const probes = (await health.json()) as Record<string, { healthy: boolean }>;
    expect(probes['sync-process']?.healthy).toBe(true);
    expect(probes['management-repository']?.healthy).toBe(true);
  });

  it('rejects wrong credentials', async () => {
    const response = await fetch(`${urls.management}/management/v2/environments/DEFAULT/apis`, {
      headers: { authorization: `Basic ${Buffer.from('admin:wrong').toString('base64')}` },
    });
    expect(response.status).toBe(401);
  });

  it('serves an imported Gravitee v4 export, stops it, and serves it again after a restart', async () => {
    expect(await (await fetch(`${urls.gateway}/proxy-api`)).text()).toBe('No context-path matches the request URI.');
    const apiId = await importDeployStart(urls, upstream);
    const servedAfter = await waitForStatus(urls.gateway, '/proxy-api', 200);
    expect(servedAfter).toBeLessThan(2_000);
    await assertProxiesIntact(urls.gateway, upstream);
    // The fixture's endpoint group runs an http-health-check every second on `/` (overrideEndpointPath).
    await eventually(
      async () => upstream.requests.some((r) => r.method === 'GET' && r.url === '/'),
      5_000,
      'health check',
    );

    expect((await manage(urls, 'POST', `/apis/${apiId}/_stop`)).status).toBe(204);
    await waitForStatus(urls.gateway, '/proxy-api', 404);
    const stopped = await fetch(`${urls.gateway}/proxy-api/items`);
    expect(stopped.status).toBe(404);
    expect(await stopped.text()).toBe('No context-path matches the request URI.');

    expect((await manage(urls, 'POST', `/apis/${apiId}/_start`)).status).toBe(204);
    await waitForStatus(urls.gateway, '/proxy-api', 200);

    expect(await apim?.stop('SIGTERM')).toBe(0);
    apim = await startApim('start', env);
    expect(apim.output()).not.toContain('generated now');
    await waitForStatus(urls.gateway, '/proxy-api', 200);
    await assertProxiesIntact(urls.gateway, upstream);
  });
});
