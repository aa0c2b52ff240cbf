import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ManagementClient } from '../management-client.js';
import { freePort } from '../processes.js';
import { loadScenario, type Scenario } from '../scenarios.js';
import { UPSTREAM_BODY } from './nginx.js';
import { type BenchContext, type RunningTarget, type TargetSpec, waitForHttp, waitForOutput } from './target.js';

const ENV = '/management/v2/environments/DEFAULT';

/** Where the Gravitee benchmark definitions live, relative to the repository root. */
export function fixturesDir(repoRoot: string): string {
  return join(repoRoot, '..', 'shared', 'fixtures', 'gravitee', 'bench');
}

/**
 * Imports a definition through the management API, deploys it and starts it, the way a Gravitee user scripts it.
 * Returns the API id and the import response.
 */
export async function importDeployStart(
  client: ManagementClient,
  definition: Record<string, unknown>,
): Promise<{ apiId: string; api: Record<string, unknown> }> {
  const api = await client.json<Record<string, unknown>>('POST', `${ENV}/apis/_import/definition`, definition);
  const apiId = api.id;
  if (typeof apiId !== 'string') throw new Error(`the import answered no API id: ${JSON.stringify(api).slice(0, 300)}`);
  await client.json('POST', `${ENV}/apis/${apiId}/deployments`, { deploymentLabel: 'bench' });
  if (api.state !== 'STARTED') {
    const current = await client.json<Record<string, unknown>>('GET', `${ENV}/apis/${apiId}`);
    if (current.state !== 'STARTED') await client.json('POST', `${ENV}/apis/${apiId}/_start`);
  }
  return { apiId, api };
}

/**
 * The environment of an `apim` process of the benchmark: every port free and on 127.0.0.1, production mode, one
 * gateway process (every target is pinned to the same single core, as the references), the admin password given.
 */
export async function apimEnv(
  dataDir: string,
  password: string,
  logLevel: 'warn' | 'info',
): Promise<{ env: NodeJS.ProcessEnv; ports: { gateway: number; management: number; node: number } }> {
  const [gateway, management, node, consolePort, portalPort, bridgePort] = await Promise.all(
    Array.from({ length: 6 }, () => freePort()),
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    APIM_DATA_DIR: dataDir,
    APIM_GATEWAY_PORT: String(gateway),
    APIM_GATEWAY_HOST: '127.0.0.1',
    APIM_MANAGEMENT_PORT: String(management),
    APIM_MANAGEMENT_HOST: '127.0.0.1',
    APIM_NODE_PORT: String(node),
    APIM_CONSOLE_PORT: String(consolePort),
    APIM_PORTAL_PORT: String(portalPort),
    APIM_BRIDGE_PORT: String(bridgePort),
    APIM_ADMIN_PASSWORD: password,
    APIM_LOG_LEVEL: logLevel,
    APIM_GATEWAY_WORKERS: '1',
  };
  return { env, ports: { gateway, management, node } };
}

/**
 * (e) This project's gateway running one Gravitee benchmark scenario: the real CLI (`apim start`) in its own data
 * folder, pinned like every other target, configured through the management API over HTTP.
 */
export function apimGatewayTarget(scenario: Scenario): TargetSpec {
  return {
    id: `apim ${scenario.id}`,
    description: `this gateway, Gravitee scenario ${scenario.file} (apim start: gateway + management API)`,
    skip: scenario.skip,
    openLoop: scenario.openLoop,
    async start(ctx: BenchContext): Promise<RunningTarget> {
      const definition = loadScenario(fixturesDir(ctx.repoRoot), scenario, ctx.upstreamUrl);
      const password = randomBytes(18).toString('base64url');
      const { env, ports } = await apimEnv(ctx.group.makeTempDir(`apim-${scenario.id}`), password, 'warn');
      const [gatewayPort, managementPort] = [ports.gateway, ports.management];
      const cli = join(ctx.repoRoot, 'packages', 'cli', 'bin', 'apim.js');
      const apim = ctx.group.spawn(`apim ${scenario.id}`, process.execPath, [cli, 'start'], {
        cpu: ctx.targetCpu,
        env,
        cwd: env.APIM_DATA_DIR,
      });
      const stop = () => ctx.group.stop(apim, 10_000);
      try {
        await waitForOutput(apim, 'APIM is running.', 60_000);
        const client = new ManagementClient(`http://127.0.0.1:${managementPort}`, 'admin', password);
        const { apiId, api } = await importDeployStart(client, definition);
        const url = `http://127.0.0.1:${gatewayPort}${scenario.contextPath}`;
        const headers = scenario.setup ? await scenario.setup({ client, apiId, api }) : {};
        await waitForHttp(url, {
          process: apim,
          headers,
          expectBody: scenario.expectBody ?? UPSTREAM_BODY,
          timeoutMs: 30_000,
        });
        return { url, pids: [apim.pid], headers, stop };
      } catch (error) {
        await stop();
        throw error;
      }
    },
  };
}
