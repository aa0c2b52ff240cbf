/**
 * The half of the sync that reads the store and applies it to the registry: the full load, the incremental read of
 * API events, the per-API reconciliation, and the deployment of a local copy. {@link GatewaySync} drives it (when, how
 * often, what to do on failure); this class decides what is deployed.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Api, ConfigStore, Deployment, EventCriteria, EventType } from '@apim/core';
import type { Logger } from 'pino';
import type { ApiRegistry } from './api-registry.js';
import { ApiRuntime } from './api-runtime.js';
import type { EnvironmentScope } from './environment-scope.js';
import type { LocalApiEntry } from './local-state.js';
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
  /** Deployments and redeployments applied. */
  deploys: number;
  undeploys: number;
  /** Deployments that could not be compiled (invalid definition); the previous state keeps serving. */
  rejected: number;
  /** Deployments not served because their sharding tags do not match the gateway's. */
  filtered: number;
}

/** What a {@link SyncReconciler} works with. */
export interface SyncReconcilerOptions {
  store: ConfigStore;
  registry: ApiRegistry;
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
const noop = () => undefined;

/** Applies the store's deployed state (or a local copy of it) to the registry. */
export class SyncReconciler {
  readonly #store: ConfigStore;
  readonly #registry: ApiRegistry;
  readonly #scope: EnvironmentScope;
  readonly #tags: ShardingTags;
  readonly #overlapMs: number;
  readonly #counts: GatewaySyncCounts;
  readonly #logger: Logger;
  readonly #call: SyncReconcilerOptions['call'];
  /** What is deployed, as read from the store (or the local copy): the content of the local state file. */
  readonly #entries = new Map<string, LocalApiEntry>();
  /** Handled event ids with their createdAt, pruned once older than the overlap window. */
  readonly #seen = new Map<string, number>();
  /** createdAt of the newest event handled (store clock); undefined before any event exists. */
  cursor: string | undefined;
  /** Set by deploys and undeploys; the sync clears it when it schedules a write of the local copy. */
  changed = false;
  /** One environment refresh per cycle at most (organization filter); reset by {@link startCycle}. */
  #scopeRefresh: Promise<void> | undefined;

  constructor(options: SyncReconcilerOptions) {
    this.#store = options.store;
    this.#registry = options.registry;
    this.#scope = options.scope;
    this.#tags = options.tags;
    this.#overlapMs = options.overlapMs;
    this.#counts = options.counts;
    this.#logger = options.logger;
    this.#call = options.call;
  }

  /** The deployed entries (what the local copy holds). */
  entries(): LocalApiEntry[] {
    return [...this.#entries.values()];
  }

  startCycle(): void {
    this.#scopeRefresh = undefined;
  }

  /**
   * Deploys every started API of the served environments; undeploys what is no longer started. APIs are read 1,000
   * per page (the next page is fetched while the deployments of the current one are read, 16 at a time).
   */
  async fullLoad(): Promise<void> {
    await this.#refreshScope();
    const cursor = await this.#newestEventDate();
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
      await inParallel(served, PARALLEL_READS, async (api) => {
        this.#apply(api, await this.#call(() => this.#store.deployments.findLatest(api.id)));
      });
      if (!more) break;
    }
    // Not listed: stopped, deleted or out of scope, or skipped by a page that shifted under a concurrent rename. Each
    // is checked on its own rather than undeployed on the word of the listing.
    const absent = this.#registry.ids().filter((id) => !listed.has(id));
    await inParallel(absent, PARALLEL_READS, (id) => this.#reconcile(id));
    this.cursor = cursor;
  }

  /** Reads the API events since the cursor (minus the overlap) and reconciles the APIs they name. */
  async incremental(): Promise<void> {
    const criteria = this.#eventCriteria();
    if (this.cursor !== undefined) criteria.from = new Date(Date.parse(this.cursor) - this.#overlapMs).toISOString();
    const fresh: { id: string; createdAt: string }[] = [];
    const apiIds = new Set<string>();
    for (let page = 1; ; page++) {
      const result = await this.#call(() => this.#store.events.search(criteria, { page, perPage: PAGE_SIZE }));
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
    const horizon = Date.parse(this.cursor!) - this.#overlapMs;
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
    if (this.#registry.get(api.id)?.deploymentId === deployment.id) {
      this.#entries.set(api.id, entry);
      return;
    }
    let runtime: ApiRuntime;
    try {
      runtime = new ApiRuntime(
        {
          apiId: api.id,
          environmentId: api.environmentId,
          deploymentId: deployment.id,
          revision: deployment.revision,
          definition: filterPlansByTags(deployment.definition, this.#tags),
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
    this.#entries.set(api.id, entry);
    this.changed = true;
    this.#counts.deploys++;
    this.#logger.info({ api: api.id, name: runtime.name, revision: deployment.revision, redeploy }, 'API deployed');
  }

  #undeploy(apiId: string): void {
    this.#entries.delete(apiId);
    if (!this.#registry.undeploy(apiId)) return;
    this.changed = true;
    this.#counts.undeploys++;
    this.#logger.info({ api: apiId }, 'API undeployed');
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

  /** createdAt of the newest API event (store clock), read before the full load so nothing after it is missed. */
  async #newestEventDate(): Promise<string | undefined> {
    const criteria = this.#eventCriteria();
    const { totalCount } = await this.#call(() => this.#store.events.search(criteria, { page: 1, perPage: 1 }));
    if (totalCount === 0) return undefined;
    const last = await this.#call(() => this.#store.events.search(criteria, { page: totalCount, perPage: 1 }));
    return last.data[0]?.createdAt;
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
