import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EchoUpstream, startEchoUpstream } from '@apim/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlDatabase, createPostgresDatabase, type ScratchDatabase } from './support/databases.js';
import { type ApimProcess, freePort, startApim } from './support/process.js';
import { assertProxiesIntact, importDeployStart, manage, type Urls, waitForStatus } from './support/scenario.js';

const BACKENDS = [
  { name: 'PostgreSQL', url: process.env.APIM_TEST_POSTGRES_URL, create: createPostgresDatabase },
  { name: 'MariaDB', url: process.env.APIM_TEST_MYSQL_URL, create: createMysqlDatabase },
];

// The management API and the gateway as two processes sharing one real database server.
for (const backend of BACKENDS) {
  describe.skipIf(!backend.url)(`apim management + apim gateway sharing ${backend.name}`, () => {
    let database: ScratchDatabase;
    let upstream: EchoUpstream;
    let management: ApimProcess | undefined;
    let gateway: ApimProcess | undefined;
    let urls: Urls;
    let gatewayEnv: Record<string, string>;
    let dataDir: string;

    beforeAll(async () => {
      database = await backend.create(backend.url as string);
      dataDir = await mkdtemp(join(tmpdir(), 'apim-e2e-gw-'));
      upstream = await startEchoUpstream();
      const [gatewayPort, managementPort] = [await freePort(), await freePort()];
      const common = { APIM_REPOSITORY_URL: database.url };
      management = await startApim('management', {
        ...common,
        APIM_MANAGEMENT_PORT: String(managementPort),
        APIM_MANAGEMENT_HOST: '127.0.0.1',
        APIM_ADMIN_PASSWORD: 'split-secret',
      });
      gatewayEnv = {
        ...common,
        APIM_GATEWAY_PORT: String(gatewayPort),
        APIM_GATEWAY_HOST: '127.0.0.1',
        APIM_NODE_PORT: String(await freePort()),
        APIM_DATA_DIR: dataDir,
      };
      gateway = await startApim('gateway', gatewayEnv);
      urls = {
        gateway: `http://127.0.0.1:${gatewayPort}`,
        management: `http://127.0.0.1:${managementPort}`,
        password: 'split-secret',
      };
    });

    afterAll(async () => {
      await gateway?.stop('SIGKILL');
      await management?.stop('SIGKILL');
      await upstream?.close();
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('each process runs only its own component', async () => {
      expect(management?.output()).toContain('Management API');
      expect(management?.output()).not.toContain('Gateway ');
      expect(gateway?.output()).toContain('Gateway');
      expect(gateway?.output()).not.toContain('Management API');
    });

    it('serves what the management process deploys, stops it, and serves it again after a gateway restart', async () => {
      const apiId = await importDeployStart(urls, upstream);
      await waitForStatus(urls.gateway, '/proxy-api', 200);
      await assertProxiesIntact(urls.gateway, upstream);

      expect((await manage(urls, 'POST', `/apis/${apiId}/_stop`)).status).toBe(204);
      await waitForStatus(urls.gateway, '/proxy-api', 404);
      expect((await manage(urls, 'POST', `/apis/${apiId}/_start`)).status).toBe(204);
      await waitForStatus(urls.gateway, '/proxy-api', 200);

      expect(await gateway?.stop('SIGTERM')).toBe(0);
      gateway = await startApim('gateway', gatewayEnv);
      await waitForStatus(urls.gateway, '/proxy-api', 200);
      await assertProxiesIntact(urls.gateway, upstream);
    });

    it('starts a gateway from its local copy while the database is unreachable', async () => {
      expect(await gateway?.stop('SIGTERM')).toBe(0);
      const unreachable = new URL(database.url);
      unreachable.port = String(await freePort()); // nothing listens there
      gateway = await startApim('gateway', { ...gatewayEnv, APIM_REPOSITORY_URL: unreachable.toString() });
      await waitForStatus(urls.gateway, '/proxy-api', 200);
      await assertProxiesIntact(urls.gateway, upstream);
    });
  });
}
