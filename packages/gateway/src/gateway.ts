/**
 * The gateway process: an HTTP server in front of the registry, kept in sync with the configuration store.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { ConfigStore, Flow, PolicyRegistry } from '@apim/core';
import {
  createAsyncRateLimitStore,
  createRateLimitStore,
  type RateLimitStore,
  type RateLimitStoreConfig,
  RedisRateLimitStore,
} from '@apim/ratelimit';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { ApiRegistry } from './api-registry.js';
import { EnvironmentScope } from './environment-scope.js';
import { NodeMetrics } from './node/metrics.js';
import { type NodeServiceSettings, type RunningNodeService, startNodeService } from './node/node-service.js';
import { combineObservers } from './observer.js';
import type { PlanSecurityOptions } from './plan-resolver.js';
import { type SecuritySink, SecuritySync } from './security/security-sync.js';
import { SubscriptionRegistry } from './security/subscription-registry.js';
import { createGatewayListener, type GatewayServer } from './server.js';
import type { GatewayServerOptions } from './server-options.js';
import { GatewaySync, type GatewaySyncSettings } from './sync.js';
import { createTcpProxyServer, TCP_PROXY_DEFAULT_PORT, type TcpProxyOptions } from './tcp-proxy/tcp-proxy-server.js';
import { TcpRouteTable } from './tcp-proxy/tcp-route-table.js';

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
  /** The policies deployments may use (default: the built-in catalogue of `@apim/policies`). */
  policies?: PolicyRegistry;
  /** Organization-level flows run around every API's flows. */
  platformFlows?: readonly Flow[];
  /** How long close() lets in-flight requests finish before cutting them (default 10 s). */
  drainTimeoutMs?: number;
  /** The node service (health, Prometheus metrics, deployed APIs) on its own port; off when absent. */
  node?: NodeServiceSettings & {
    /** Default true when `node` is given. */
    enabled?: boolean;
  };
  /** The TCP proxy server (TLS, APIs chosen by SNI among their TCP listeners' hosts); off when absent. */
  tcp?: TcpProxyOptions;
  /** How plans with subscriptions read credentials (API-key names, JWT gateway keys...). */
  security?: GatewaySecuritySettings;
  /** The counter store of the rate-limit, quota and spike-arrest policies (default: in memory). */
  rateLimit?: RateLimitStoreConfig;
}

/** The gateway-wide settings of plan security (every field optional). */
export type GatewaySecuritySettings = Omit<PlanSecurityOptions, 'subscriptions' | 'onRejected' | 'now'>;

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
  /** The port of the TCP proxy server, when it runs. */
  tcpPort: number | undefined;
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
  const tcpRoutes = options.tcp && new TcpRouteTable(logger);
  tcpRoutes?.follow(registry);
  const subscriptions = new SubscriptionRegistry();
  const securitySync = createSecuritySync(options, subscriptions, subscriptions, logger);
  const counters = rateLimitServices(options.rateLimit, logger);
  const sync = new GatewaySync({
    ...syncOptions(options, logger),
    registry,
    runtime: {
      policies: options.policies,
      platformFlows: options.platformFlows,
      security: planSecurity(subscriptions, options.security, logger),
      services: counters.services,
    },
    logger,
  });
  const nodeSettings = options.node?.enabled === false ? undefined : options.node;
  const metrics = nodeSettings && new NodeMetrics({ registry, sync });
  // Subscriptions, keys and counters first: the APIs deployed next serve their plans at once.
  await Promise.all([securitySync.start(), counters.ready()]);
  await sync.start();
  const observers = [options.observer, metrics?.observer].filter((observer) => observer !== undefined);
  const observer = observers.length > 0 ? combineObservers(observers) : undefined;
  let listeners: GatewayListeners | undefined;
  let node: RunningNodeService | undefined;
  try {
    listeners = await listenGateway(registry, tcpRoutes, logger, { ...options, observer });
    if (nodeSettings && metrics) {
      node = await startNodeService({
        ...nodeSettings,
        sync,
        registry,
        store: options.store,
        metrics,
        rateLimit: counters.store,
        gatewayServer: listeners.server,
        syncIntervalMs: options.syncIntervalMs,
        logger,
      });
    }
  } catch (error) {
    await listeners?.drain(0);
    await securitySync.stop();
    await sync.stop();
    await counters.close();
    await registry.close(0);
    throw error;
  }
  const { port, tcpPort, server } = listeners;
  logger.info({ port, host: options.host, apis: registry.size }, 'gateway listening');

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await Promise.all([sync.stop(), securitySync.stop()]);
      const deadline = Date.now() + drainTimeoutMs;
      await listeners.drain(drainTimeoutMs);
      await registry.close(Math.max(0, deadline - Date.now()));
      await counters.close();
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
    reloadCertificates: () => listeners.reloadCertificates(),
    nodePort: node?.port,
    tcpPort,
    close,
  };
}

/** The rate-limit counter stores given to the policies (`services.rateLimit`, `services.rateLimitAsync`). */
export interface RateLimitServices {
  readonly store: RateLimitStore;
  /** Resolves once the store can answer, or its connection attempt timed out (never rejects). */
  ready(): Promise<void>;
  readonly services: Readonly<Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * Builds the counter store of a gateway process (memory by default; Redis shared by every gateway) and its
 * asynchronous wrapper for the policies' `async: true` mode. Redis connects in the background; until it answers,
 * decisions fail fast and the policies' `errorStrategy` decides.
 */
export function rateLimitServices(
  config: RateLimitStoreConfig | undefined,
  logger: Logger,
  /** A store to use instead of the configured one (a cluster worker's, asking the primary). */
  given?: RateLimitStore,
): RateLimitServices {
  const store =
    given ??
    createRateLimitStore(config ?? { type: 'memory' }, {
      onError: (error) => logger.warn({ err: error }, 'rate-limit counter store error'),
    });
  const asyncStore = createAsyncRateLimitStore(store);
  return {
    store,
    ready: async () => {
      // Redis: wait for the connection (bounded by its connect timeout) so that the first requests are counted; a
      // store still down is logged and retried in the background, and the policies' errorStrategy decides meanwhile.
      if (store instanceof RedisRateLimitStore) {
        await store.connect().catch((error: unknown) => {
          logger.warn({ err: error }, 'rate-limit counter store not reachable yet; retrying in the background');
        });
      }
    },
    services: { rateLimit: store, rateLimitAsync: asyncStore },
    // The asynchronous store flushes its local counts, then closes the store it wraps.
    close: () => asyncStore.close().catch(() => undefined),
  };
}

/** The options of the API sync that a gateway takes from its own (in one process or in a cluster's primary). */
export function syncOptions(options: GatewayOptions, logger: Logger) {
  return {
    store: options.store,
    syncIntervalMs: options.syncIntervalMs,
    environmentIds: options.environmentIds,
    organizationIds: options.organizationIds,
    shardingTags: options.shardingTags,
    localStatePath: options.localStatePath,
    localStateDebounceMs: options.localStateDebounceMs,
    storeTimeoutMs: options.storeTimeoutMs,
    maxRetryDelayMs: options.maxRetryDelayMs,
    logger,
  };
}

/**
 * The sync of subscriptions and API keys of a gateway, writing into `sink`; `registry` is what it keeps a local copy
 * of (beside the API state file: `gateway-state.json` -> `gateway-state.security.json`).
 */
export function createSecuritySync(
  options: GatewayOptions,
  sink: SecuritySink,
  registry: SubscriptionRegistry,
  logger: Logger,
): SecuritySync {
  return new SecuritySync({
    store: options.store,
    sink,
    scope: new EnvironmentScope(options.environmentIds, options.organizationIds),
    syncIntervalMs: options.syncIntervalMs,
    storeTimeoutMs: options.storeTimeoutMs,
    ...(options.localStatePath === undefined
      ? {}
      : {
          localStatePath: options.localStatePath.replace(/(\.json)?$/, '.security.json'),
          state: () => ({ subscriptions: registry.allSubscriptions(), apiKeys: registry.allApiKeys() }),
          ...(options.localStateDebounceMs === undefined ? {} : { localStateDebounceMs: options.localStateDebounceMs }),
        }),
    logger,
  });
}

/** The plan security of the runtimes: the subscriptions, the settings, and token refusals logged at debug level. */
export function planSecurity(
  subscriptions: SubscriptionRegistry,
  settings: GatewaySecuritySettings | undefined,
  logger: Logger,
): PlanSecurityOptions {
  return {
    ...settings,
    subscriptions,
    onRejected: (reason, planId) => logger.debug({ plan: planId, err: reason }, 'credentials refused'),
  };
}

/** The listening servers of a gateway: the HTTP listener, and the TCP proxy server when configured. */
export interface GatewayListeners {
  readonly server: GatewayServer;
  readonly port: number;
  readonly tcpPort: number | undefined;
  reloadCertificates(): void;
  /** Stops accepting, lets in-flight requests finish, cuts what remains after `deadlineMs`. */
  drain(deadlineMs: number): Promise<void>;
}

/**
 * Creates the gateway's listeners around a registry and starts listening (in one process, or in each worker of a
 * cluster, which share the port). The TCP proxy server runs when `options.tcp` and `tcpRoutes` are given.
 */
export async function listenGateway(
  registry: ApiRegistry,
  tcpRoutes: TcpRouteTable | undefined,
  logger: Logger,
  options: GatewayServerOptions & Pick<GatewayOptions, 'port' | 'host' | 'tcp'>,
): Promise<GatewayListeners> {
  const listener = createGatewayListener(registry, logger, options);
  const { server } = listener;
  const tcp = options.tcp && tcpRoutes && createTcpProxyServer(tcpRoutes, logger, options.tcp, options.observer);
  const drain = async (deadlineMs: number) => {
    await Promise.all([listener.drain(deadlineMs), tcp?.drain(deadlineMs)]);
  };
  try {
    server.listen(options.port, options.host);
    await once(server, 'listening');
    if (tcp && options.tcp) {
      tcp.server.listen(options.tcp.port ?? TCP_PROXY_DEFAULT_PORT, options.tcp.host);
      await once(tcp.server, 'listening');
    }
  } catch (error) {
    await drain(0);
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const tcpPort = tcp && (tcp.server.address() as AddressInfo).port;
  if (tcpPort !== undefined) logger.info({ port: tcpPort, host: options.tcp?.host }, 'TCP proxy listening');
  return {
    server,
    port,
    tcpPort,
    reloadCertificates: () => {
      listener.reloadCertificates();
      tcp?.reloadCertificates();
    },
    drain,
  };
}
