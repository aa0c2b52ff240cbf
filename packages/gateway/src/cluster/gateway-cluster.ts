/**
 * A gateway on several cores: the primary process runs the only sync against the configuration store (one set of
 * store connections, one local state file, one LISTEN) and the node service; N workers forked with node:cluster
 * share the gateway's port and serve requests from a registry the primary feeds over IPC.
 *
 * The primary compiles nothing: its sync deploys into a {@link BroadcastTarget}, which forwards each deploy and
 * undeploy to the workers, and a starting worker receives the deployed entries in chunks before it listens.
 */
import { fileURLToPath } from 'node:url';
import { ApimError } from '@apim/core';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { createSecuritySync, type GatewayOptions, rateLimitServices, syncOptions } from '../gateway.js';
import { NodeMetrics } from '../node/metrics.js';
import { type RunningNodeService, startNodeService } from '../node/node-service.js';
import { parseShardingTags } from '../sharding-tags.js';
import { GatewaySync } from '../sync.js';
import { BroadcastTarget } from './primary-target.js';
import type { WorkerSettings } from './protocol.js';
import { SecurityBroadcaster } from './security-broadcast.js';
import { WorkerPool } from './worker-pool.js';

export interface GatewayClusterOptions extends GatewayOptions {
  /** Worker processes (at least 1). */
  workers: number;
  /**
   * The workers' entry script (default: this package's `cluster/worker-main.js`, the built-in policies). A custom one
   * calls `runGatewayWorker({ configure })` to give its workers third-party policies or an observer, which cannot be
   * sent to another process: `policies` and `observer` are refused here.
   */
  workerModule?: string;
  /** First delay before replacing a dead worker (default 100 ms, doubling while replacements die young, up to 30 s). */
  restartDelayMs?: number;
  /** How long the node service waits for each worker's stats at a scrape (default 1 s). */
  workerReportTimeoutMs?: number;
}

export interface RunningGatewayCluster {
  /** The port the workers listen on. */
  port: number;
  /** The port of the TCP proxy server, when it runs. */
  tcpPort: number | undefined;
  /** The port of the node service (in the primary), when it runs. */
  nodePort: number | undefined;
  /** The primary's sync. */
  sync: GatewaySync;
  /** Worker processes configured. */
  workers: number;
  /** Pids of the live workers. */
  workerPids(): number[];
  /** Tells the workers to read their certificates again (a failure is logged by each worker, which keeps its own). */
  reloadCertificates(): void;
  /** Stops the sync, drains every worker (up to `drainTimeoutMs`) and waits for them to exit, then the node service. */
  close(): Promise<void>;
}

/**
 * Starts a gateway cluster: runs the first sync in this process, forks the workers and resolves once every one of
 * them has its snapshot and listens. Rejects (and stops everything) when a worker cannot start.
 *
 * @example
 * const gateway = await startGatewayCluster({ store, port: 8082, workers: availableParallelism(), logger });
 * // ...
 * await gateway.close();
 */
export async function startGatewayCluster(options: GatewayClusterOptions): Promise<RunningGatewayCluster> {
  if (!Number.isInteger(options.workers) || options.workers < 1) {
    throw new ApimError('CONFIG_INVALID', { message: 'gateway cluster: workers must be an integer >= 1' });
  }
  if (options.policies !== undefined || options.observer !== undefined) {
    throw new ApimError('CONFIG_INVALID', {
      message: 'gateway cluster: policies and observer cannot reach the workers; give them in a workerModule',
    });
  }
  const logger = options.logger ?? pino({ level: 'silent' });
  const drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
  const nodeSettings = options.node?.enabled === false ? undefined : options.node;
  const tags = parseShardingTags(options.shardingTags);
  let sync: GatewaySync | undefined;
  let pool: WorkerPool | undefined;
  const target = new BroadcastTarget({
    broadcast: (message) => pool?.broadcast(message),
    entry: (apiId) => sync?.entry(apiId),
    inFlight: async () => (await pool?.inFlight()) ?? new Map(),
    tags,
    logger,
  });
  const security = new SecurityBroadcaster((message) => pool?.broadcast(message));
  const securitySync = createSecuritySync(options, security, security.registry, logger);
  // In memory, the counters live here and the workers ask for each decision over IPC (limits hold across workers);
  // with Redis, every worker has its own connection and this one answers the ratelimit-repository probe.
  const counters = rateLimitServices(options.rateLimit, logger);
  const sharedCounters = (options.rateLimit?.type ?? 'memory') === 'memory' ? counters.store : undefined;
  sync = new GatewaySync({ ...syncOptions(options, logger), target });
  const primarySync = sync;
  pool = new WorkerPool({
    size: options.workers,
    exec: options.workerModule ?? defaultWorkerModule(),
    settings: workerSettings(options, logger, nodeSettings !== undefined),
    snapshot: () => primarySync.entries(),
    securitySnapshot: () => security.snapshot(),
    ...(sharedCounters === undefined ? {} : { sharedCounters }),
    onRejected: (apiId, deploymentId, revision) => target.rejected(apiId, deploymentId, revision),
    logger,
    restartDelayMs: options.restartDelayMs,
    reportTimeoutMs: options.workerReportTimeoutMs,
  });
  const workers = pool;
  await securitySync.start();
  await sync.start();
  let node: RunningNodeService | undefined;
  let address: { port: number; tcpPort: number | undefined };
  try {
    address = await workers.start();
    if (nodeSettings) {
      const metrics = new NodeMetrics({
        registry: target,
        sync,
        requestStats: () => workers.requestStats((apiId) => target.has(apiId)),
        workers: () => workers.live,
      });
      node = await startNodeService({
        ...nodeSettings,
        sync,
        apis: target,
        workers: () => workers.views(),
        store: options.store,
        metrics,
        rateLimit: counters.store,
        gatewayServer: {
          get listening() {
            return workers.allListening;
          },
        },
        syncIntervalMs: options.syncIntervalMs,
        logger,
      });
    }
  } catch (error) {
    await workers.close(0);
    await Promise.all([sync.stop(), securitySync.stop(), counters.close()]);
    throw error;
  }
  const { port, tcpPort } = address;
  logger.info({ port, host: options.host, apis: target.size, workers: options.workers }, 'gateway listening');

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await Promise.all([primarySync.stop(), securitySync.stop()]);
      await workers.close(drainTimeoutMs);
      // Last, so that health reports the gateway down while it drains.
      await node?.close();
      await counters.close();
      logger.info('gateway stopped');
    })();
    return closing;
  };
  return {
    port,
    tcpPort,
    nodePort: node?.port,
    sync,
    workers: options.workers,
    workerPids: () => workers.pids(),
    reloadCertificates: () => workers.broadcast({ apim: 'reload-certificates' }),
    close,
  };
}

/** The serialisable part of the options, for the workers. */
function workerSettings(options: GatewayClusterOptions, logger: Logger, metrics: boolean): WorkerSettings {
  const {
    store: _store,
    logger: _logger,
    policies: _policies,
    observer: _observer,
    node: _node,
    environmentIds: _environments,
    localStatePath: _localState,
    workers: _workers,
    workerModule: _module,
    restartDelayMs: _restart,
    workerReportTimeoutMs: _report,
    platformFlows,
    ...settings
  } = options;
  return {
    ...settings,
    ...(platformFlows === undefined ? {} : { platformFlows: [...platformFlows] }),
    log: { level: logger.level, bindings: logger.bindings() },
    metrics,
  };
}

/**
 * The built worker entry script. From the TypeScript sources (tests), the compiled one in `dist` is used: a forked
 * process runs plain Node.
 */
function defaultWorkerModule(): string {
  const here = import.meta.url;
  const relative = here.endsWith('.ts') ? '../../dist/cluster/worker-main.js' : './worker-main.js';
  return fileURLToPath(new URL(relative, here));
}
