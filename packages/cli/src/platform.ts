import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ApimError, type ConfigStore } from '@apim/core';
import { type GatewayOptions, type HeaderOverrideMode, startGateway, startGatewayCluster } from '@apim/gateway';
import { ensureDefaults, startManagementApi } from '@apim/management-api';
import { createConfigStore } from '@apim/repository-sql';
import { type Logger, pino } from 'pino';
import { type Config, gatewayJwtKeys, gatewayTlsOptions, redactUrl } from './config.js';

export interface RunningPlatform {
  logger: Logger;
  store: ConfigStore;
  gatewayUrl?: string;
  managementUrl?: string;
  close(): Promise<void>;
}

/** The TCP proxy server's options, when enabled (it needs the gateway's certificates: SNI selects the API). */
function tcpServerOptions(gateway: Config['gateway']) {
  if (!gateway.tcpEnabled) return undefined;
  const tls = gatewayTlsOptions(gateway);
  if (!tls) {
    throw new ApimError('CONFIG_INVALID', {
      message: 'gateway.tcpEnabled needs gateway.tlsCert and gateway.tlsKey (TCP proxy APIs are routed by SNI).',
    });
  }
  return { port: gateway.tcpPort, host: gateway.host, tls };
}

/** `gateway.workers`: 0 means one worker per available core. */
function gatewayWorkers(configured: number): number {
  return configured > 0 ? configured : availableParallelism();
}

function displayHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? 'localhost' : host;
}

/**
 * Starts the selected components of the platform on one configuration store, prints where they listen and the first
 * admin credentials, and returns a handle that stops them in order (gateway first, so in-flight requests drain).
 */
export async function startPlatform(
  config: Config,
  components: { management: boolean; gateway: boolean },
): Promise<RunningPlatform> {
  const logger = pino({ level: config.log.level, base: { pid: process.pid } });
  const localStatePath =
    config.gateway.localStatePath === 'off'
      ? undefined
      : config.gateway.localStatePath || join(config.dataDir, 'gateway-state.json');
  if (config.repository.url.startsWith('sqlite:') || (components.gateway && localStatePath)) {
    await mkdir(config.dataDir, { recursive: true });
  }
  // Only the management API migrates the schema: a gateway must start (from its local copy) while the repository is
  // unreachable, and never changes a schema it only reads.
  const store = await createConfigStore({ url: config.repository.url, migrate: components.management });
  const closers: (() => Promise<void>)[] = [];
  const banner: string[] = [];
  const platform: RunningPlatform = {
    logger,
    store,
    close: async () => {
      for (const close of closers.reverse()) await close();
      await store.close();
    },
  };
  try {
    if (components.management) {
      const { generatedPassword } = await ensureDefaults(store, {
        adminPassword: config.management.adminPassword || undefined,
      });
      const management = await startManagementApi({
        store,
        port: config.management.port,
        host: config.management.host,
        subscriptions: {
          allowCustomApiKeys: config.management.customApiKeys,
          allowSharedApiKeys: config.management.sharedApiKeys,
          apiKeyRenewalGracePeriodMs: config.management.apiKeyGracePeriodMs,
        },
        logger: logger.child({ component: 'management' }),
      });
      closers.push(() => management.close());
      platform.managementUrl = `http://${displayHost(config.management.host)}:${management.port}`;
      banner.push(`Management API  ${platform.managementUrl}/management/v2/environments/DEFAULT/apis`);
      if (generatedPassword) {
        banner.push(`Admin login     admin / ${generatedPassword}   (generated now, shown once: keep it)`);
      } else if (config.management.adminPassword) {
        banner.push('Admin login     admin / the password set in APIM_ADMIN_PASSWORD (or management.adminPassword)');
      } else {
        banner.push('Admin login     admin / the password printed at first start');
      }
    }
    if (components.gateway) {
      const nodePassword = config.node.password || randomBytes(18).toString('base64url');
      const options: GatewayOptions = {
        store,
        port: config.gateway.port,
        host: config.gateway.host,
        syncIntervalMs: config.gateway.syncIntervalMs,
        environmentIds: config.gateway.environments.length ? config.gateway.environments : undefined,
        organizationIds: config.gateway.organizations.length ? config.gateway.organizations : undefined,
        shardingTags: config.gateway.tags || undefined,
        localStatePath,
        keepAliveTimeoutMs: config.gateway.keepAliveTimeoutMs,
        headersTimeoutMs: config.gateway.headersTimeoutMs,
        requestTimeoutMs: config.gateway.requestTimeoutMs,
        maxHeaderSize: config.gateway.maxHeaderSize,
        maxUriLength: config.gateway.maxUriLength,
        maxRequestBodySize: config.gateway.maxRequestBodySize,
        maxConnections: config.gateway.maxConnections,
        via: { enabled: config.gateway.via },
        transaction: {
          header: config.gateway.transactionHeader,
          overrideMode: config.gateway.transactionHeaderMode as HeaderOverrideMode,
        },
        requestId: {
          header: config.gateway.requestIdHeader,
          overrideMode: config.gateway.requestIdHeaderMode as HeaderOverrideMode,
        },
        generateTraceparent: config.gateway.generateTraceparent,
        tls: gatewayTlsOptions(config.gateway),
        http2: config.gateway.http2,
        http2Cleartext: config.gateway.http2Cleartext,
        websocket: config.gateway.websocket,
        security: {
          apiKeyHeader: config.gateway.apiKeyHeader,
          apiKeyQueryParam: config.gateway.apiKeyQueryParam,
          jwtKeys: gatewayJwtKeys(config.gateway.jwtKeysFile),
        },
        rateLimit:
          config.gateway.rateLimitStore === 'redis'
            ? {
                type: 'redis',
                url: config.gateway.rateLimitRedisUrl,
                commandTimeoutMs: config.gateway.rateLimitTimeoutMs,
              }
            : { type: 'memory' },
        tcp: tcpServerOptions(config.gateway),
        node: config.node.enabled
          ? {
              port: config.node.port,
              host: config.node.host,
              authentication: { type: 'basic', users: { [config.node.username]: nodePassword } },
            }
          : undefined,
        logger: logger.child({ component: 'gateway' }),
      };
      const workers = gatewayWorkers(config.gateway.workers);
      // With several workers, this process keeps the sync and the node service; the workers serve the port.
      const gateway = workers > 1 ? await startGatewayCluster({ ...options, workers }) : await startGateway(options);
      closers.push(() => gateway.close());
      const scheme = config.gateway.tlsCert ? 'https' : 'http';
      platform.gatewayUrl = `${scheme}://${displayHost(config.gateway.host)}:${gateway.port}`;
      banner.push(`Gateway         ${platform.gatewayUrl}${workers > 1 ? `   (${workers} workers)` : ''}`);
      if (gateway.tcpPort !== undefined)
        banner.push(`TCP proxy       tls://${displayHost(config.gateway.host)}:${gateway.tcpPort}`);
      if (gateway.nodePort !== undefined) {
        const nodeUrl = `http://${displayHost(config.node.host)}:${gateway.nodePort}/_node/health`;
        const credentials = config.node.password
          ? `${config.node.username} / the password set in APIM_NODE_PASSWORD (or node.password)`
          : `${config.node.username} / ${nodePassword}   (generated for this run: set APIM_NODE_PASSWORD to fix it)`;
        banner.push(`Node service    ${nodeUrl}   login ${credentials}`);
      }
    }
  } catch (error) {
    await platform.close().catch(() => undefined);
    throw error;
  }
  banner.push(`Repository      ${redactUrl(config.repository.url)}`);
  console.log(['', 'APIM is running.', ...banner.map((l) => `  ${l}`), '  Stop with Ctrl+C.', ''].join('\n'));
  return platform;
}
