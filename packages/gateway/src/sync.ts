/**
 * Keeps the registry in step with the configuration store: a full load at start, then deltas driven by API events.
 *
 * Events are triggers, the store is the truth: for each API named by a new event, the sync re-reads the Api row and
 * its latest Deployment and deploys, redeploys or undeploys accordingly (an idempotent reconciliation, so reading an
 * event twice is harmless). The event window overlaps the previous one by `overlapMs` (store clock) and a set of seen
 * event ids skips what was already handled, so an event committed late with an older timestamp is not missed.
 *
 * A failing store never stops the gateway: the cycle is logged, the last state keeps serving, and the next tick
 * retries from the same cursor.
 */
import type { Api, ConfigStore, Deployment, EventCriteria, EventType } from '@apim/core';
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { ApiRegistry } from './api-registry.js';
import { ApiRuntime } from './api-runtime.js';

/** The events that change which APIs a gateway serves. */
export const API_EVENT_TYPES: readonly EventType[] = ['PUBLISH_API', 'START_API', 'STOP_API', 'UNPUBLISH_API'];

export interface GatewaySyncOptions {
  store: ConfigStore;
  registry: ApiRegistry;
  /** Polling period (default 500 ms). A push signal (`store.onChange`) triggers a cycle at once. */
  syncIntervalMs?: number;
  /** How far back each poll re-reads events (default 5 s), for events committed late. */
  overlapMs?: number;
  /** Environments this gateway serves (default: all). */
  environmentIds?: readonly string[];
  logger?: Logger;
}

/** Counters of a sync, for health and node endpoints. */
export interface GatewaySyncCounts {
  /** Successful cycles. */
  syncs: number;
  /** Failed cycles (store unreachable...). */
  failures: number;
  /** API events handled. */
  events: number;
  /** Deployments and redeployments applied. */
  deploys: number;
  undeploys: number;
  /** Deployments that could not be compiled (invalid definition); the previous state keeps serving. */
  rejected: number;
}

const PAGE_SIZE = 500;
const PARALLEL_READS = 8;

/** Synchronises an {@link ApiRegistry} from a {@link ConfigStore}. */
export class GatewaySync {
  readonly #store: ConfigStore;
  readonly #registry: ApiRegistry;
  readonly #intervalMs: number;
  readonly #overlapMs: number;
  readonly #environments: ReadonlySet<string> | undefined;
  readonly #logger: Logger;
  readonly #counts: GatewaySyncCounts = { syncs: 0, failures: 0, events: 0, deploys: 0, undeploys: 0, rejected: 0 };
  /** createdAt of the newest event handled (store clock); undefined before any event exists. */
  #cursor: string | undefined;
  /** Handled event ids with their createdAt, pruned once older than the overlap window. */
  readonly #seen = new Map<string, number>();
  #firstSyncDone = false;
  #lastSyncAt: Date | undefined;
  #failing = false;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => Promise<void>) | undefined;

  constructor(options: GatewaySyncOptions) {
    this.#store = options.store;
    this.#registry = options.registry;
    this.#intervalMs = options.syncIntervalMs ?? 500;
    this.#overlapMs = options.overlapMs ?? 5_000;
    this.#environments = options.environmentIds?.length ? new Set(options.environmentIds) : undefined;
    this.#logger = options.logger ?? pino({ level: 'silent' });
  }

  /** When the last successful cycle ended. */
  get lastSyncAt(): Date | undefined {
    return this.#lastSyncAt;
  }

  /** Whether the full load at start has succeeded. */
  get firstSyncDone(): boolean {
    return this.#firstSyncDone;
  }

  get counts(): Readonly<GatewaySyncCounts> {
    return { ...this.#counts };
  }

  /**
   * Runs the first cycle (the full load; a failure is logged, not thrown), subscribes to the store's push signal and
   * starts polling.
   */
  async start(): Promise<void> {
    this.#stopped = false;
    try {
      this.#unsubscribe = (await this.#store.onChange?.(() => void this.syncNow())) ?? undefined;
    } catch (error) {
      this.#logger.warn({ err: error }, 'store change signal unavailable, polling only');
    }
    await this.syncNow();
    this.#schedule();
  }

  /** Runs a cycle now; concurrent calls coalesce into one more cycle after the running one. */
  syncNow(): Promise<void> {
    if (this.#running !== undefined) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        await this.#cycle();
      } while (this.#again && !this.#stopped);
    })().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Stops polling and the push subscription; waits for a running cycle. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    const unsubscribe = this.#unsubscribe;
    this.#unsubscribe = undefined;
    await unsubscribe?.().catch((error: unknown) => this.#logger.warn({ err: error }, 'unsubscribe failed'));
    await this.#running;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.syncNow().finally(() => this.#schedule());
    }, this.#intervalMs);
    this.#timer.unref();
  }

  async #cycle(): Promise<void> {
    if (this.#stopped) return;
    try {
      if (this.#firstSyncDone) await this.#incremental();
      else await this.#fullLoad();
      this.#counts.syncs++;
      this.#lastSyncAt = new Date();
      if (this.#failing) this.#logger.info('configuration store reachable again');
      this.#failing = false;
    } catch (error) {
      this.#counts.failures++;
      // Log the first failure of a streak loudly, the retries quietly.
      if (this.#failing) this.#logger.debug({ err: error }, 'sync failed, retrying');
      else this.#logger.warn({ err: error }, 'sync failed, serving the last known state');
      this.#failing = true;
    }
  }

  /** Deploys every started API of the served environments; undeploys what is no longer started. */
  async #fullLoad(): Promise<void> {
    const cursor = await this.#newestEventDate();
    const started = new Map<string, Api>();
    for (let page = 1; ; page++) {
      const result = await this.#store.apis.search(
        { state: 'STARTED', environmentIds: this.#environments && [...this.#environments] },
        { page, perPage: PAGE_SIZE },
      );
      for (const api of result.data) if (this.#serves(api)) started.set(api.id, api);
      if (result.data.length === 0 || page * result.perPage >= result.totalCount) break;
    }
    await inParallel([...started.values()], PARALLEL_READS, async (api) => {
      const deployment = await this.#store.deployments.findLatest(api.id);
      if (deployment === undefined) this.#undeploy(api.id);
      else this.#deploy(api, deployment);
    });
    for (const id of this.#registry.ids()) if (!started.has(id)) this.#undeploy(id);
    this.#cursor = cursor;
    this.#firstSyncDone = true;
    this.#logger.info({ apis: this.#registry.size }, 'full sync done');
  }

  /** Reads the API events since the cursor (minus the overlap) and reconciles the APIs they name. */
  async #incremental(): Promise<void> {
    const criteria: EventCriteria = { types: [...API_EVENT_TYPES] };
    if (this.#environments !== undefined) criteria.environmentIds = [...this.#environments];
    if (this.#cursor !== undefined) criteria.from = new Date(Date.parse(this.#cursor) - this.#overlapMs).toISOString();
    const fresh: { id: string; createdAt: string }[] = [];
    const apiIds = new Set<string>();
    for (let page = 1; ; page++) {
      const result = await this.#store.events.search(criteria, { page, perPage: PAGE_SIZE });
      for (const event of result.data) {
        if (this.#seen.has(event.id)) continue;
        fresh.push(event);
        const apiId = event.properties?.api_id;
        if (apiId) apiIds.add(apiId);
      }
      if (result.data.length === 0 || page * result.perPage >= result.totalCount) break;
    }
    if (fresh.length === 0) return;
    // Store failures throw out of here before anything is marked seen: the next tick retries the same events.
    await inParallel([...apiIds], PARALLEL_READS, (apiId) => this.#reconcile(apiId));
    for (const event of fresh) {
      this.#seen.set(event.id, Date.parse(event.createdAt));
      if (this.#cursor === undefined || event.createdAt > this.#cursor) this.#cursor = event.createdAt;
    }
    this.#counts.events += fresh.length;
    const horizon = Date.parse(this.#cursor!) - this.#overlapMs;
    for (const [id, at] of this.#seen) if (at < horizon) this.#seen.delete(id);
  }

  async #reconcile(apiId: string): Promise<void> {
    const api = await this.#store.apis.findById(apiId);
    if (api === undefined || api.state !== 'STARTED' || !this.#serves(api)) {
      this.#undeploy(apiId);
      return;
    }
    const deployment = await this.#store.deployments.findLatest(apiId);
    if (deployment === undefined) this.#undeploy(apiId);
    else this.#deploy(api, deployment);
  }

  #deploy(api: Api, deployment: Deployment): void {
    if (this.#registry.get(api.id)?.deploymentId === deployment.id) return;
    let runtime: ApiRuntime;
    try {
      runtime = new ApiRuntime(
        {
          apiId: api.id,
          environmentId: api.environmentId,
          deploymentId: deployment.id,
          revision: deployment.revision,
          definition: deployment.definition,
        },
        this.#logger,
      );
    } catch (error) {
      this.#counts.rejected++;
      this.#logger.error({ api: api.id, revision: deployment.revision, err: error }, 'deployment rejected');
      return;
    }
    const redeploy = this.#registry.get(api.id) !== undefined;
    this.#registry.deploy(runtime);
    this.#counts.deploys++;
    this.#logger.info({ api: api.id, name: runtime.name, revision: deployment.revision, redeploy }, 'API deployed');
  }

  #undeploy(apiId: string): void {
    if (!this.#registry.undeploy(apiId)) return;
    this.#counts.undeploys++;
    this.#logger.info({ api: apiId }, 'API undeployed');
  }

  #serves(api: Api): boolean {
    return this.#environments === undefined || this.#environments.has(api.environmentId);
  }

  /** createdAt of the newest API event (store clock), read before the full load so nothing after it is missed. */
  async #newestEventDate(): Promise<string | undefined> {
    const criteria: EventCriteria = { types: [...API_EVENT_TYPES] };
    if (this.#environments !== undefined) criteria.environmentIds = [...this.#environments];
    const { totalCount } = await this.#store.events.search(criteria, { page: 1, perPage: 1 });
    if (totalCount === 0) return undefined;
    const last = await this.#store.events.search(criteria, { page: totalCount, perPage: 1 });
    return last.data[0]?.createdAt;
  }
}

/** Runs `task` over `items` with at most `limit` running at once; rejects with the first failure. */
async function inParallel<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
