/**
 * The gateway process: an HTTP server in front of the registry, kept in sync with the configuration store.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { ConfigStore } from '@apim/core';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { ApiRegistry } from './api-registry.js';
import { NodeMetrics } from './node/metrics.js';
import { type NodeServiceSettings, type RunningNodeService, startNodeService } from './node/node-service.js';
import { combineObservers } from './observer.js';
import { createGatewayListener, type GatewayServer } from './server.js';
import type { GatewayServerOptions } from './server-options.js';
import { GatewaySync, type GatewaySyncSettings } from './sync.js';

export interface GatewayOptions extends GatewayServerOptions, GatewaySyncSettings {
  store: ConfigStore;
  /** Port to listen on (0 picks a free one). */
  port: number;
  /** Interface to bind (default: all interfaces). */
  host?: string;
  /** Store polling period (default 500 ms). */
  syncIntervalMs?: number;
  /** Environments whose APIs this gateway serves (default: all). */
  environmentIds?: string[];
  /** Logger (default: silent). */
  logger?: Logger;
  /** How long close() lets in-flight requests finish before cutting them (default 10 s). */
  drainTimeoutMs?: number;
  /** The node service (health, Prometheus metrics, deployed APIs) on its own port; off when absent. */
  node?: NodeServiceSettings & {
    /** Default true when `node` is given. */
    enabled?: boolean;
  };
}

export interface RunningGateway {
  /** The port actually listened on. */
  port: number;
  sync: GatewaySync;
  registry: ApiRegistry;
  server: GatewayServer;
  /**
   * With `tls`: reads the certificates again, for new connections (files given as paths are also watched). Throws
   * and keeps the current ones when they cannot be loaded.
   */
  reloadCertificates(): void;
  /** The port of the node service, when it runs. */
  nodePort: number | undefined;
  /** Stops accepting, drains in-flight requests (up to the drain deadline), closes the pools and the sync. */
  close(): Promise<void>;
}

/**
 * Starts a gateway: runs the first sync (a store failure is logged and retried, the gateway still starts), then
 * listens.
 *
 * @example
 * const gateway = await startGateway({ store, port: 8082, logger });
 * // ...
 * await gateway.close();
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
  const registry = new ApiRegistry(logger);
  const sync = new GatewaySync({
    store: options.store,
    registry,
    syncIntervalMs: options.syncIntervalMs,
    environmentIds: options.environmentIds,
    organizationIds: options.organizationIds,
    shardingTags: options.shardingTags,
    localStatePath: options.localStatePath,
    localStateDebounceMs: options.localStateDebounceMs,
    storeTimeoutMs: options.storeTimeoutMs,
    maxRetryDelayMs: options.maxRetryDelayMs,
    logger,
  });
  const nodeSettings = options.node?.enabled === false ? undefined : options.node;
  const metrics = nodeSettings && new NodeMetrics({ registry, sync });
  await sync.start();
  const observers = [options.observer, metrics?.observer].filter((observer) => observer !== undefined);
  const listener = createGatewayListener(registry, logger, {
    ...options,
    observer: observers.length > 0 ? combineObservers(observers) : undefined,
  });
  const { server } = listener;
  let node: RunningNodeService | undefined;
  try {
    server.listen(options.port, options.host);
    await once(server, 'listening');
    if (nodeSettings && metrics) {
      node = await startNodeService({
        ...nodeSettings,
        sync,
        registry,
        store: options.store,
        metrics,
        gatewayServer: server,
        syncIntervalMs: options.syncIntervalMs,
        logger,
      });
    }
  } catch (error) {
    await listener.drain(0);
    await sync.stop();
    await registry.close(0);
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  logger.info({ port, host: options.host, apis: registry.size }, 'gateway listening');

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await sync.stop();
      const deadline = Date.now() + drainTimeoutMs;
      await listener.drain(drainTimeoutMs);
      await registry.close(Math.max(0, deadline - Date.now()));
      // Last, so that health reports the gateway down while it drains.
      await node?.close();
      logger.info('gateway stopped');
    })();
    return closing;
  };
  return {
    port,
    sync,
    registry,
    server,
    reloadCertificates: () => listener.reloadCertificates(),
    nodePort: node?.port,
    close,
  };
}
