/**
 * The half of the sync that reads the store and applies it to the registry: the full load, the incremental read of
 * API events, the per-API reconciliation, and the deployment of a local copy. {@link GatewaySync} drives it (when, how
 * often, what to do on failure); this class decides what is deployed.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Api, ConfigStore, Deployment, EventCriteria, EventType } from '@apim/core';
import type { Logger } from 'pino';
import type { ApiRegistry } from './api-registry.js';
import { ApiRuntime, type ApiRuntimeOptions } from './api-runtime.js';
import type { EnvironmentScope } from './environment-scope.js';
import { KeptLocalEntry, type LocalApiEntry } from './local-state.js';
import { apiTagsOf, filterPlansByTags, type ShardingTags } from './sharding-tags.js';

/** The events that change which APIs a gateway serves. */
export const API_EVENT_TYPES: readonly EventType[] = ['PUBLISH_API', 'START_API', 'STOP_API', 'UNPUBLISH_API'];

/** Counters of a sync, for health and node endpoints. */
export interface GatewaySyncCounts {
  /** Successful cycles. */
  syncs: number;
  /** Failed cycles (store unreachable...). */
  failures: number;
  /** API events handled. */
  events: number;
  /** API event rows read from the store (handled or already seen in the overlap window). */
  eventsRead: number;
  /** Deployments and redeployments applied. */
  deploys: number;
  undeploys: number;
  /** Deployments that could not be compiled (invalid definition); the previous state keeps serving. */
  rejected: number;
  /** Deployments not served because their sharding tags do not match the gateway's. */
  filtered: number;
}

/**
 * Where a {@link SyncReconciler} deploys: {@link RegistryDeploymentTarget} compiles into an {@link ApiRegistry} (one
 * process, and each worker of a cluster); a cluster primary keeps the entries and broadcasts them to its workers.
 */
export interface DeploymentTarget {
  /** APIs deployed. */
  readonly size: number;
  /** Ids of the deployed APIs. */
  ids(): string[];
  /** Id of the deployment served for the API; undefined when it is not deployed. */
  deploymentOf(apiId: string): string | undefined;
  /** Deploys or redeploys an API; throws when the deployment cannot be compiled (the previous one keeps serving). */
  deploy(entry: LocalApiEntry): void;
  /** Removes an API; returns false when it was not deployed. */
  undeploy(apiId: string): boolean;
}

/**
 * Compiles deployments into an {@link ApiRegistry}: tagged plans the gateway does not serve are removed first, and a
 * deployment that does not compile throws before anything is swapped.
 *
 * @example new RegistryDeploymentTarget(registry, parseShardingTags('internal'), logger).deploy(entry);
 */
export class RegistryDeploymentTarget implements DeploymentTarget {
  constructor(
    readonly registry: ApiRegistry,
    readonly tags: ShardingTags,
    readonly logger: Logger,
    readonly runtime: ApiRuntimeOptions = {},
  ) {}

  get size(): number {
    return this.registry.size;
  }

  ids(): string[] {
    return this.registry.ids();
  }

  deploymentOf(apiId: string): string | undefined {
    return this.registry.get(apiId)?.deploymentId;
  }

  deploy({ api, deployment }: LocalApiEntry): void {
    const deployable = {
      apiId: api.id,
      environmentId: api.environmentId,
      deploymentId: deployment.id,
      revision: deployment.revision,
      definition: filterPlansByTags(deployment.definition, this.tags),
    };
    this.registry.deploy(new ApiRuntime(deployable, this.logger, { ...this.runtime, shardingTags: this.tags }));
  }

  undeploy(apiId: string): boolean {
    return this.registry.undeploy(apiId);
  }
}

/** What a {@link SyncReconciler} works with. */
export interface SyncReconcilerOptions {
  store: ConfigStore;
  target: DeploymentTarget;
  scope: EnvironmentScope;
  tags: ShardingTags;
  overlapMs: number;
  counts: GatewaySyncCounts;
  logger: Logger;
  /** Runs one store call (the sync bounds its duration). */
  call: <T>(operation: () => Promise<T>) => Promise<T>;
}

const PAGE_SIZE = 1000;
const PARALLEL_READS = 16;
/** APIs whose latest deployments one store call reads during a full load. */
const DEPLOYMENTS_PER_READ = 100;
/** APIs compiled between two turns of the event loop during a full load. */
const YIELD_EVERY = 32;
const noop = () => undefined;

/** Applies the store's deployed state (or a local copy of it) to the registry. */
export class SyncReconciler {
  readonly #store: ConfigStore;
  readonly #target: DeploymentTarget;
  readonly #scope: EnvironmentScope;
  readonly #tags: ShardingTags;
  readonly #overlapMs: number;
  readonly #counts: GatewaySyncCounts;
  readonly #logger: Logger;
  readonly #call: SyncReconcilerOptions['call'];
  /** What is deployed, as read from the store (or the local copy): the content of the local state file. */
  readonly #entries = new Map<string, KeptLocalEntry>();
  /** Handled event ids with their createdAt, pruned once older than the overlap window. */
  readonly #seen = new Map<string, number>();
  /** createdAt of the newest event handled (store clock); undefined before any event exists. */
  #cursor: string | undefined;
  /** When the cursor was last set (monotonic clock): the store's time has moved on by as much since. */
  #cursorSetAt = 0;
  /** Set by deploys and undeploys; the sync clears it when it schedules a write of the local copy. */
  changed = false;
  /** True during a full load: one line per API would be 10,000 lines, so they are logged at debug (a summary follows). */
  #loading = false;
  /** One environment refresh per cycle at most (organization filter); reset by {@link startCycle}. */
  #scopeRefresh: Promise<void> | undefined;

  get cursor(): string | undefined {
    return this.#cursor;
  }

  set cursor(value: string | undefined) {
    this.#cursor = value;
    this.#cursorSetAt = performance.now();
  }

  /**
   * Where the next event read starts: the overlap window before the store's time now, estimated as the cursor plus
   * the time elapsed since it was read (the store clock is at least there). Anchored to the cursor alone, a quiet
   * store would make every poll re-read the last burst of events (10,000 after a bulk import) forever.
   */
  #windowStart(): number {
    return Date.parse(this.#cursor!) + (performance.now() - this.#cursorSetAt) - this.#overlapMs;
  }

  constructor(options: SyncReconcilerOptions) {
    this.#store = options.store;
    this.#target = options.target;
    this.#scope = options.scope;
    this.#tags = options.tags;
    this.#overlapMs = options.overlapMs;
    this.#counts = options.counts;
    this.#logger = options.logger;
    this.#call = options.call;
  }

  /** The deployed entries (what the local copy holds). */
  entries(): KeptLocalEntry[] {
    return [...this.#entries.values()];
  }

  /** The deployed entry of one API. */
  entry(apiId: string): KeptLocalEntry | undefined {
    return this.#entries.get(apiId);
  }

  startCycle(): void {
    this.#scopeRefresh = undefined;
  }

  /**
   * Deploys every started API of the served environments; undeploys what is no longer started. APIs are read 1,000
   * per page (the next page is fetched while the current one is processed), their latest deployments 100 per call.
   */
  async fullLoad(): Promise<void> {
    this.#loading = true;
    try {
      await this.#load();
    } finally {
      this.#loading = false;
    }
  }

  async #load(): Promise<void> {
    await this.#refreshScope();
    const before = await this.#eventsBeforeLoad();
    const listed = new Set<string>();
    const criteria = { state: 'STARTED' as const, environmentIds: this.#scope.apiSearchEnvironments() };
    const fetchPage = (page: number) => {
      const result = this.#call(() => this.#store.apis.search(criteria, { page, perPage: PAGE_SIZE }));
      result.catch(noop); // awaited below; this only keeps a failure during the previous page from going unhandled
      return result;
    };
    let next = fetchPage(1);
    for (let page = 1; ; page++) {
      const result = await next;
      const more = result.data.length > 0 && page * result.perPage < result.totalCount;
      if (more) next = fetchPage(page + 1);
      const served = result.data.filter((api) => this.#scope.allows(api.environmentId));
      for (const api of served) listed.add(api.id);
      await this.#applyLatest(served);
      if (!more) break;
    }
    // Not listed: stopped, deleted or out of scope, or skipped by a page that shifted under a concurrent rename. Each
    // is checked on its own rather than undeployed on the word of the listing.
    const absent = this.#target.ids().filter((id) => !listed.has(id));
    await inParallel(absent, PARALLEL_READS, (id) => this.#reconcile(id));
    // The load read the store after these events were committed: it applied them. Marked seen, they are not read again
    // by the first incremental cycle, whose window overlaps them (10,000 PUBLISH_API events after a bulk import).
    this.#seen.clear();
    for (const event of before.events) this.#seen.set(event.id, Date.parse(event.createdAt));
    this.cursor = before.cursor;
  }

  /**
   * Applies the latest deployment of each API, read {@link DEPLOYMENTS_PER_READ} APIs per store call (the next batch
   * is read while the current one is compiled), letting the event loop turn every {@link YIELD_EVERY} APIs.
   */
  async #applyLatest(apis: readonly Api[]): Promise<void> {
    const read = (from: number) => {
      const ids = apis.slice(from, from + DEPLOYMENTS_PER_READ).map((api) => api.id);
      const result = this.#call(() => this.#store.deployments.findLatestByApis(ids));
      result.catch(noop); // awaited below; this only keeps a failure during the previous batch from going unhandled
      return result;
    };
    let next = apis.length > 0 ? read(0) : undefined;
    for (let from = 0; next !== undefined; from += DEPLOYMENTS_PER_READ) {
      const deployments = await next;
      const to = Math.min(apis.length, from + DEPLOYMENTS_PER_READ);
      next = to < apis.length ? read(to) : undefined;
      const byApi = new Map(deployments.map((deployment) => [deployment.apiId, deployment]));
      for (let i = from; i < to; i++) {
        const api = apis[i]!;
        this.#apply(api, byApi.get(api.id));
        if ((i + 1) % YIELD_EVERY === 0) await nextTurn();
      }
    }
  }

  /** Reads the API events since the cursor (minus the overlap) and reconciles the APIs they name. */
  async incremental(): Promise<void> {
    const criteria = this.#eventCriteria();
    if (this.cursor !== undefined) criteria.from = new Date(this.#windowStart()).toISOString();
    const fresh: { id: string; createdAt: string }[] = [];
    const apiIds = new Set<string>();
    for (let page = 1; ; page++) {
      const result = await this.#call(() => this.#store.events.search(criteria, { page, perPage: PAGE_SIZE }));
      this.#counts.eventsRead += result.data.length;
      for (const event of result.data) {
        if (this.#seen.has(event.id)) continue;
        fresh.push(event);
        const apiId = event.properties?.api_id;
        if (apiId) apiIds.add(apiId);
      }
      if (result.data.length === 0 || page * result.perPage >= result.totalCount) break;
    }
    if (fresh.length === 0) return;
    // Store failures throw out of here before anything is marked seen: the next cycle retries the same events.
    await inParallel([...apiIds], PARALLEL_READS, (apiId) => this.#reconcile(apiId));
    for (const event of fresh) {
      this.#seen.set(event.id, Date.parse(event.createdAt));
      if (this.cursor === undefined || event.createdAt > this.cursor) this.cursor = event.createdAt;
    }
    this.#counts.events += fresh.length;
    const horizon = this.#windowStart();
    for (const [id, at] of this.#seen) if (at < horizon) this.#seen.delete(id);
  }

  /** Deploys the entries of a local copy that this gateway serves (scope and tags are applied again). */
  deployLocalCopy(entries: readonly LocalApiEntry[]): void {
    for (const entry of entries) {
      if (!this.#scope.allows(entry.api.environmentId, entry.api.organizationId ?? undefined)) continue;
      if (this.#tags.matches(apiTagsOf(entry.deployment.definition))) this.#deploy(entry);
      else this.#counts.filtered++;
    }
  }

  async #reconcile(apiId: string): Promise<void> {
    const api = await this.#call(() => this.#store.apis.findById(apiId));
    if (api !== undefined && this.#scope.byOrganization && !this.#scope.knows(api.environmentId)) {
      await this.#refreshScope(); // an environment created after the last refresh
    }
    if (api === undefined || api.state !== 'STARTED' || !this.#scope.allows(api.environmentId)) {
      this.#undeploy(apiId);
      return;
    }
    this.#apply(api, await this.#call(() => this.#store.deployments.findLatest(apiId)));
  }

  /** Deploys the latest deployment of a started, in-scope API, unless its sharding tags exclude it. */
  #apply(api: Api, deployment: Deployment | undefined): void {
    if (deployment === undefined) {
      this.#undeploy(api.id);
      return;
    }
    if (!this.#tags.matches(apiTagsOf(deployment.definition))) {
      this.#counts.filtered++;
      this.#undeploy(api.id);
      return;
    }
    const { id, revision, createdAt, definition } = deployment;
    const organizationId = this.#scope.organizationOf(api.environmentId) ?? null;
    this.#deploy({
      api: { id: api.id, environmentId: api.environmentId, organizationId, name: api.name },
      deployment: { id, revision, createdAt, definition },
    });
  }

  #deploy(entry: LocalApiEntry): void {
    const { api, deployment } = entry;
    const current = this.#target.deploymentOf(api.id);
    if (current === deployment.id) {
      this.#entries.set(api.id, new KeptLocalEntry(entry));
      return;
    }
    try {
      this.#target.deploy(entry);
    } catch (error) {
      this.#counts.rejected++;
      this.#logger.error({ api: api.id, revision: deployment.revision, err: error }, 'deployment rejected');
      return;
    }
    this.#entries.set(api.id, new KeptLocalEntry(entry));
    this.changed = true;
    this.#counts.deploys++;
    const line = { api: api.id, name: api.name, revision: deployment.revision, redeploy: current !== undefined };
    if (this.#loading) this.#logger.debug(line, 'API deployed');
    else this.#logger.info(line, 'API deployed');
  }

  #undeploy(apiId: string): void {
    this.#entries.delete(apiId);
    if (!this.#target.undeploy(apiId)) return;
    this.changed = true;
    this.#counts.undeploys++;
    if (this.#loading) this.#logger.debug({ api: apiId }, 'API undeployed');
    else this.#logger.info({ api: apiId }, 'API undeployed');
  }

  #refreshScope(): Promise<void> {
    this.#scopeRefresh ??= this.#call(() => this.#scope.refresh(this.#store));
    return this.#scopeRefresh;
  }

  #eventCriteria(): EventCriteria {
    const criteria: EventCriteria = { types: [...API_EVENT_TYPES] };
    const environmentIds = this.#scope.eventEnvironments();
    if (environmentIds !== undefined) criteria.environmentIds = environmentIds;
    return criteria;
  }

  /**
   * Read before the full load, so that nothing committed after it is missed: the createdAt of the newest API event
   * (store clock; the cursor after the load) and the events of the overlap window before it (ids and createdAt).
   */
  async #eventsBeforeLoad(): Promise<{ cursor: string | undefined; events: { id: string; createdAt: string }[] }> {
    const criteria = this.#eventCriteria();
    const { totalCount } = await this.#call(() => this.#store.events.search(criteria, { page: 1, perPage: 1 }));
    if (totalCount === 0) return { cursor: undefined, events: [] };
    const last = await this.#call(() => this.#store.events.search(criteria, { page: totalCount, perPage: 1 }));
    const cursor = last.data[0]?.createdAt;
    if (cursor === undefined) return { cursor, events: [] };
    const window = { ...criteria, from: new Date(Date.parse(cursor) - this.#overlapMs).toISOString() };
    const events: { id: string; createdAt: string }[] = [];
    for (let page = 1; ; page++) {
      const result = await this.#call(() => this.#store.events.search(window, { page, perPage: PAGE_SIZE }));
      for (const { id, createdAt } of result.data) events.push({ id, createdAt });
      if (result.data.length === 0 || page * result.perPage >= result.totalCount) break;
    }
    return { cursor, events };
  }
}

/**
 * Runs `task` over `items` with at most `limit` running at once; rejects with the first failure. Every 32 tasks it
 * lets the event loop turn, so that a large load from a synchronous driver (SQLite) never stalls requests being served.
 */
async function inParallel<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let done = 0;
  let failed = false;
  /** A pause every worker waits for (with a synchronous driver, one worker pausing alone would not free the loop). */
  let pause: Promise<void> | undefined;
  const worker = async () => {
    while (next < items.length && !failed) {
      if (pause !== undefined) await pause;
      if (next >= items.length || failed) break;
      try {
        await task(items[next++]!);
      } catch (error) {
        failed = true;
        throw error;
      }
      if (++done % 32 === 0) {
        pause ??= nextTurn().then(() => {
          pause = undefined;
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
