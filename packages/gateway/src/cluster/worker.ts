/**
 * A worker of a gateway cluster: the HTTP listener (and the TCP proxy server) on the port the workers share, in front
 * of a registry fed by the primary over IPC. The worker compiles each deployment itself, as a single-process gateway
 * does (plans filtered by sharding tags, a deployment that does not compile is logged and the previous one kept); it
 * never talks to the configuration store.
 *
 * It listens only once it has applied the primary's snapshot of the deployed APIs, drains on the primary's `drain`
 * (or on SIGTERM/SIGINT, which a terminal sends to the whole process group), and drains and exits when the primary
 * goes away (IPC disconnect).
 */
import cluster from 'node:cluster';
import type { PolicyRegistry } from '@apim/core';
import { type Logger, pino } from 'pino';
import { ApiRegistry } from '../api-registry.js';
import {
  type GatewayListeners,
  listenGateway,
  planSecurity,
  type RateLimitServices,
  rateLimitServices,
} from '../gateway.js';
import type { LocalApiEntry } from '../local-state.js';
import { RequestStatsTable } from '../node/request-stats.js';
import { combineObservers, type RequestObserver } from '../observer.js';
import { SubscriptionRegistry } from '../security/subscription-registry.js';
import { parseShardingTags } from '../sharding-tags.js';
import { RegistryDeploymentTarget } from '../sync-reconciler.js';
import { TcpRouteTable } from '../tcp-proxy/tcp-route-table.js';
import { IpcRateLimitStore } from './ipc-rate-limit-store.js';
import {
  isApimMessage,
  type PrimaryMessage,
  type WorkerMessage,
  type WorkerReport,
  type WorkerSettings,
} from './protocol.js';

/** What a worker cannot receive from its primary (functions, class instances) and builds itself. */
export interface GatewayWorkerExtras {
  /** The policies deployments may use (default: the built-in catalogue). */
  policies?: PolicyRegistry;
  /** Told about every finished request of this worker. */
  observer?: RequestObserver;
}

/** Hooks of a custom worker entry script (`workerModule` of `startGatewayCluster`). */
export interface GatewayWorkerHooks {
  /** Builds the worker's policies and observer from the settings the primary sent. */
  configure?(settings: WorkerSettings): GatewayWorkerExtras | Promise<GatewayWorkerExtras>;
}

/** What a worker runs with once initialised. */
interface Serving {
  settings: WorkerSettings;
  logger: Logger;
  registry: ApiRegistry;
  target: RegistryDeploymentTarget;
  subscriptions: SubscriptionRegistry;
  counters: RateLimitServices;
  /** Set when the counters are the primary's: it receives the decisions. */
  shared: IpcRateLimitStore | undefined;
  tcpRoutes: TcpRouteTable | undefined;
  stats: RequestStatsTable | undefined;
  observer: RequestObserver | undefined;
  listeners: GatewayListeners | undefined;
}

/**
 * Runs this process as a gateway worker. The default entry script (`worker-main.js`) calls it with no hooks; a
 * custom one can add third-party policies or an observer.
 *
 * @example
 * // my-worker.js, given as `workerModule`
 * import { runGatewayWorker } from '@apim/gateway';
 * runGatewayWorker({ configure: async () => ({ policies: await loadMyPolicies() }) });
 */
export function runGatewayWorker(hooks: GatewayWorkerHooks = {}): void {
  if (!cluster.isWorker || process.send === undefined) {
    throw new Error('runGatewayWorker() runs in a worker forked by startGatewayCluster()');
  }
  let serving: Serving | undefined;
  let draining: Promise<void> | undefined;
  /** Messages are handled one at a time, in order (initialisation is asynchronous). */
  let queue: Promise<void> = Promise.resolve();

  const send = (message: WorkerMessage) => {
    if (process.connected) process.send?.(message, undefined, undefined, () => undefined);
  };

  const fail = (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    serving?.logger.error({ err: error }, 'gateway worker failed to start');
    send({ apim: 'failed', message });
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 50).unref();
  };

  const drain = (deadlineMs: number, why: string) => {
    draining ??= (async () => {
      const current = serving;
      const deadline = Date.now() + deadlineMs;
      current?.logger.info({ why }, 'gateway worker draining');
      await current?.listeners?.drain(deadlineMs);
      await current?.registry.close(Math.max(0, deadline - Date.now()));
      await current?.counters.close();
      current?.logger.info('gateway worker stopped');
    })()
      .catch((error: unknown) => serving?.logger.error({ err: error }, 'gateway worker drain failed'))
      .finally(() => process.exit(0));
    return draining;
  };

  const handle = async (message: PrimaryMessage): Promise<void> => {
    if (message.apim === 'init') {
      serving = await initialise(message.settings, hooks);
      return;
    }
    if (message.apim === 'drain') {
      void drain(message.deadlineMs, 'asked by the primary');
      return;
    }
    if (serving === undefined || draining !== undefined) return;
    switch (message.apim) {
      case 'snapshot': {
        for (const entry of JSON.parse(message.entries) as LocalApiEntry[]) deploy(serving, entry, true);
        if (message.last) await listen(serving);
        return;
      }
      case 'deploy':
        deploy(serving, JSON.parse(message.entry) as LocalApiEntry, false);
        return;
      case 'undeploy':
        if (serving.target.undeploy(message.apiId)) serving.logger.debug({ api: message.apiId }, 'API undeployed');
        return;
      case 'security': {
        const { subscriptions } = serving;
        if (message.reset) subscriptions.clear();
        for (const subscription of message.subscriptions) subscriptions.putSubscription(subscription);
        for (const key of message.apiKeys) subscriptions.putApiKey(key);
        return;
      }
      case 'report':
        send({ apim: 'report', id: message.id, report: report(serving, message.stats) });
        return;
      case 'reload-certificates':
        try {
          serving.listeners?.reloadCertificates();
        } catch (error) {
          serving.logger.error({ err: error }, 'certificates not reloaded, the current ones are kept');
        }
        return;
    }
  };

  const listen = async (current: Serving) => {
    const { settings, registry, tcpRoutes, logger, observer } = current;
    current.listeners = await listenGateway(registry, tcpRoutes, logger, { ...settings, observer });
    const { port, tcpPort } = current.listeners;
    logger.info({ port, host: settings.host, apis: registry.size }, 'gateway worker listening');
    send({ apim: 'listening', port, tcpPort });
  };

  process.on('message', (message: unknown) => {
    if (!isApimMessage<PrimaryMessage>(message)) return;
    // Counter decisions are awaited by requests in flight: answered at once, not queued behind other messages.
    if (message.apim === 'rate-limit-decision') {
      serving?.shared?.answered(message);
      return;
    }
    queue = queue.then(() => handle(message)).catch(fail);
  });
  // The primary is gone (crashed or killed): nobody hands connections any more; finish what is running and leave.
  process.on('disconnect', () => void drain(serving?.settings.drainTimeoutMs ?? 10_000, 'primary disconnected'));
  // A terminal's Ctrl+C reaches every process of the group: drain like the primary asks, do not die mid-request.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => void drain(serving?.settings.drainTimeoutMs ?? 10_000, signal));
  }
  send({ apim: 'hello' });
}

async function initialise(settings: WorkerSettings, hooks: GatewayWorkerHooks): Promise<Serving> {
  const base = { pid: process.pid, worker: cluster.worker?.id };
  const logger = pino({ level: settings.log.level, base }).child(settings.log.bindings);
  const extras = (await hooks.configure?.(settings)) ?? {};
  const registry = new ApiRegistry(logger);
  const subscriptions = new SubscriptionRegistry();
  // In-memory counters are the primary's (shared by the workers); Redis is reached directly.
  const shared =
    (settings.rateLimit?.type ?? 'memory') === 'memory'
      ? new IpcRateLimitStore({
          send: (message) =>
            process.connected && (process.send?.(message, undefined, undefined, () => undefined) ?? false),
          connected: () => process.connected,
        })
      : undefined;
  const counters = rateLimitServices(settings.rateLimit, logger, shared);
  await counters.ready();
  const runtime = {
    ...(extras.policies === undefined ? {} : { policies: extras.policies }),
    ...(settings.platformFlows === undefined ? {} : { platformFlows: settings.platformFlows }),
    security: planSecurity(subscriptions, settings.security, logger),
    services: counters.services,
  };
  const target = new RegistryDeploymentTarget(registry, parseShardingTags(settings.shardingTags), logger, runtime);
  const tcpRoutes = settings.tcp && new TcpRouteTable(logger);
  tcpRoutes?.follow(registry);
  const stats = settings.metrics ? new RequestStatsTable() : undefined;
  const observers = [extras.observer, stats?.observer].filter((observer) => observer !== undefined);
  const observer = observers.length > 0 ? combineObservers(observers) : undefined;
  return {
    settings,
    logger,
    registry,
    target,
    subscriptions,
    counters,
    shared,
    tcpRoutes,
    stats,
    observer,
    listeners: undefined,
  };
}

/** Compiles and serves one entry; a deployment that does not compile is logged and reported to the primary. */
function deploy(serving: Serving, entry: LocalApiEntry, snapshot: boolean): void {
  const { api, deployment } = entry;
  if (serving.target.deploymentOf(api.id) === deployment.id) return;
  try {
    serving.target.deploy(entry);
  } catch (error) {
    serving.logger.error({ api: api.id, revision: deployment.revision, err: error }, 'deployment rejected');
    const rejected: WorkerMessage = {
      apim: 'rejected',
      apiId: api.id,
      deploymentId: deployment.id,
      revision: deployment.revision,
    };
    if (process.connected) process.send?.(rejected, undefined, undefined, () => undefined);
    return;
  }
  if (!snapshot) serving.logger.debug({ api: api.id, revision: deployment.revision }, 'API deployed');
}

function report(serving: Serving, withStats: boolean): WorkerReport {
  const { registry, stats, listeners } = serving;
  const inFlight: [string, number][] = [];
  for (const id of registry.ids()) {
    const count = registry.get(id)?.inFlight ?? 0;
    if (count > 0) inFlight.push([id, count]);
  }
  const out: WorkerReport = {
    pid: process.pid,
    listening: listeners?.server.listening ?? false,
    apis: registry.size,
    requests: stats?.total ?? 0,
    inFlight,
  };
  if (withStats && stats !== undefined) {
    // Each scrape of the primary is a scrape of this worker's table: undeployed APIs go one scrape after.
    stats.prune((api) => registry.has(api));
    out.stats = stats.toJSON();
  }
  return out;
}
