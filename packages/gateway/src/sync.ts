/**
 * Keeps the registry in step with the configuration store: a full load at start, then deltas driven by API events.
 *
 * Events are triggers, the store is the truth: for each API named by a new event, the sync re-reads the Api row and
 * its latest Deployment and deploys, redeploys or undeploys accordingly (an idempotent reconciliation, so reading an
 * event twice is harmless). The event window overlaps the previous one by `overlapMs` (store clock) and a set of seen
 * event ids skips what was already handled, so an event committed late with an older timestamp is not missed. The
 * reading and applying is in sync-reconciler.ts; this file drives it.
 *
 * A failing store never stops the gateway: the cycle is logged, the last state keeps serving, and the next cycle
 * retries from the same cursor, with a delay that doubles while the failures last. Every store call is bounded by
 * `storeTimeoutMs`, so a store that hangs counts as unreachable.
 *
 * With `localStatePath`, the served state is also written to a local file after changes (local-state.ts). A gateway
 * whose first full load fails serves that copy (`servingFromLocalCopy`) until the store answers, then runs a full
 * resync: it deploys what changed and undeploys what vanished, then goes on with deltas.
 *
 * The gateway serves the started APIs of its environments (`environmentIds`, and/or those of `organizationIds`) whose
 * deployment snapshot matches its sharding tags; tagged plans that do not match are removed at deploy time
 * (sharding-tags.ts).
 */

import { ApimError, type ConfigStore } from '@apim/core';
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { ApiRegistry } from './api-registry.js';
import type { ApiRuntimeOptions } from './api-runtime.js';
import { EnvironmentScope } from './environment-scope.js';
import { type KeptLocalEntry, LocalStateWriter, readLocalState } from './local-state.js';
import { parseShardingTags, type ShardingTags } from './sharding-tags.js';
import {
  type DeploymentTarget,
  type GatewaySyncCounts,
  RegistryDeploymentTarget,
  SyncReconciler,
} from './sync-reconciler.js';

export {
  API_EVENT_TYPES,
  type DeploymentTarget,
  type GatewaySyncCounts,
  RegistryDeploymentTarget,
} from './sync-reconciler.js';

export interface GatewaySyncOptions {
  store: ConfigStore;
  /** The registry deployments are compiled into (with `runtime`); or give `target`. */
  registry?: ApiRegistry;
  /** Where deployments go instead of a registry (a cluster primary broadcasts them to its workers). */
  target?: DeploymentTarget;
  /** Polling period (default 500 ms). A push signal (`store.onChange`) triggers a cycle at once. */
  syncIntervalMs?: number;
  /** How far back each poll re-reads events (default 5 s), for events committed late. */
  overlapMs?: number;
  /** Environments this gateway serves (default: all). */
  environmentIds?: readonly string[];
  /** Organizations whose environments this gateway serves (default: all); intersected with `environmentIds`. */
  organizationIds?: readonly string[];
  /** Gravitee sharding tags, e.g. `internal,!beta` (default: none, every API). A malformed one throws CONFIG_INVALID. */
  shardingTags?: string;
  /** File keeping a copy of the served state, e.g. `<dataDir>/gateway-state.json` (default: none). */
  localStatePath?: string;
  /** How deployments are compiled: the policy registry (default: the built-in policies) and platform flows. */
  runtime?: ApiRuntimeOptions;
  /** Delay between a change and the write of the local copy (default 1 s). */
  localStateDebounceMs?: number;
  /** How long one store call may take before the store counts as unreachable (default 5 s). */
  storeTimeoutMs?: number;
  /** Upper bound of the retry delay while the store fails (default 5 s; the delay doubles from the interval). */
  maxRetryDelayMs?: number;
  logger?: Logger;
}

/** The sync options a gateway takes from its configuration (`startGateway` options). */
export type GatewaySyncSettings = Pick<
  GatewaySyncOptions,
  'organizationIds' | 'shardingTags' | 'localStatePath' | 'localStateDebounceMs' | 'storeTimeoutMs' | 'maxRetryDelayMs'
>;

const noop = () => undefined;

/** Synchronises an {@link ApiRegistry} from a {@link ConfigStore}. */
export class GatewaySync {
  readonly #store: ConfigStore;
  readonly #target: DeploymentTarget;
  readonly #intervalMs: number;
  readonly #storeTimeoutMs: number;
  readonly #maxRetryDelayMs: number;
  readonly #tags: ShardingTags;
  readonly #logger: Logger;
  readonly #reconciler: SyncReconciler;
  readonly #localState: LocalStateWriter | undefined;
  readonly #counts: GatewaySyncCounts = {
    syncs: 0,
    failures: 0,
    events: 0,
    eventsRead: 0,
    deploys: 0,
    undeploys: 0,
    rejected: 0,
    filtered: 0,
  };
  #firstSyncDone = false;
  #servingFromLocalCopy = false;
  #localCopyWrittenAt: Date | undefined;
  #lastSyncAt: Date | undefined;
  #failureStreak = 0;
  /** Cycles and the local-copy load run one at a time, in this queue. */
  #queue: Promise<void> = Promise.resolve();
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => Promise<void>) | undefined;

  /** Throws ApimError CONFIG_INVALID on a malformed sharding-tag expression. */
  constructor(options: GatewaySyncOptions) {
    this.#store = options.store;
    this.#intervalMs = options.syncIntervalMs ?? 500;
    this.#storeTimeoutMs = options.storeTimeoutMs ?? 5_000;
    this.#maxRetryDelayMs = Math.max(this.#intervalMs, options.maxRetryDelayMs ?? 5_000);
    this.#tags = parseShardingTags(options.shardingTags);
    this.#logger = options.logger ?? pino({ level: 'silent' });
    if (options.target === undefined && options.registry === undefined) {
      throw new TypeError('GatewaySync needs a registry or a deployment target');
    }
    this.#target =
      options.target ?? new RegistryDeploymentTarget(options.registry!, this.#tags, this.#logger, options.runtime);
    this.#reconciler = new SyncReconciler({
      store: options.store,
      target: this.#target,
      scope: new EnvironmentScope(options.environmentIds, options.organizationIds),
      tags: this.#tags,
      overlapMs: options.overlapMs ?? 5_000,
      counts: this.#counts,
      logger: this.#logger,
      call: (operation) => this.#bounded(operation()),
    });
    const reconciler = this.#reconciler;
    this.#localState =
      options.localStatePath === undefined
        ? undefined
        : new LocalStateWriter({
            path: options.localStatePath,
            debounceMs: options.localStateDebounceMs,
            logger: this.#logger,
            snapshot: () => ({ cursor: reconciler.cursor ?? null, apis: reconciler.entries() }),
          });
  }

  /** When the last successful cycle ended. */
  get lastSyncAt(): Date | undefined {
    return this.#lastSyncAt;
  }

  /** Whether a full load from the store has succeeded (false while only the local copy is served). */
  get firstSyncDone(): boolean {
    return this.#firstSyncDone;
  }

  /**
   * Whether the gateway serves the state of its local file because the store could not be read at start. Cleared by
   * the first successful full load. Health probes report it: serving, but possibly stale.
   */
  get servingFromLocalCopy(): boolean {
    return this.#servingFromLocalCopy;
  }

  /** When the local copy being served was written (undefined unless {@link servingFromLocalCopy}). */
  get localCopyWrittenAt(): Date | undefined {
    return this.#servingFromLocalCopy ? this.#localCopyWrittenAt : undefined;
  }

  /** The local state file when configured: its path, and the writes this process made. */
  get localState(): { path: string; writes: number; lastWriteAt: Date | undefined } | undefined {
    const writer = this.#localState;
    return writer && { path: writer.path, writes: writer.writes, lastWriteAt: writer.lastWriteAt };
  }

  /** The gateway's sharding tags, normalised (`''` when none). */
  get shardingTags(): string {
    return this.#tags.expression;
  }

  get counts(): Readonly<GatewaySyncCounts> {
    return { ...this.#counts };
  }

  /** The deployed entries (API row fields and deployment snapshot), as the local copy holds them. */
  entries(): KeptLocalEntry[] {
    return this.#reconciler.entries();
  }

  /** The deployed entry of one API, as the local copy holds it. */
  entry(apiId: string): KeptLocalEntry | undefined {
    return this.#reconciler.entry(apiId);
  }

  /**
   * Subscribes to the store's push signal, runs the full load (a failure is logged, not thrown; the local copy is
   * served instead when there is one), and starts polling.
   */
  async start(): Promise<void> {
    this.#stopped = false;
    // Side by side, so that an unreachable store costs one timeout at start, not two. Polling covers a change made
    // between the full load and the subscription.
    await Promise.all([this.#subscribe(), this.syncNow()]);
    if (!this.#firstSyncDone && this.#localState !== undefined) await this.#exclusive(() => this.#loadLocalCopy());
    this.#schedule();
  }

  /** Runs a cycle now; concurrent calls coalesce into one more cycle after the running one. */
  syncNow(): Promise<void> {
    if (this.#running !== undefined) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#exclusive(async () => {
      do {
        this.#again = false;
        await this.#cycle();
      } while (this.#again && !this.#stopped);
    }).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Stops polling and the push subscription; waits for a running cycle, then writes the pending local copy. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    const unsubscribe = this.#unsubscribe;
    this.#unsubscribe = undefined;
    await unsubscribe?.().catch((error: unknown) => this.#logger.warn({ err: error }, 'unsubscribe failed'));
    await this.#queue;
    await this.#localState?.close();
  }

  async #subscribe(): Promise<void> {
    if (this.#store.onChange === undefined) return;
    const subscribing = this.#store.onChange(() => void this.syncNow());
    try {
      this.#unsubscribe = (await this.#bounded(subscribing)) ?? undefined;
    } catch (error) {
      this.#logger.warn({ err: error }, 'store change signal unavailable, polling only');
      // A subscription that completes late is kept (or released if the sync stopped meanwhile).
      subscribing.then((unsubscribe) => {
        if (unsubscribe === undefined) return;
        if (this.#stopped) void unsubscribe().catch(noop);
        else this.#unsubscribe = unsubscribe;
      }, noop);
    }
  }

  #exclusive(task: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(task);
    this.#queue = run.then(noop, noop);
    return run;
  }

  /** Polls every interval; while the store fails, the delay doubles up to `maxRetryDelayMs` (with some jitter). */
  #schedule(): void {
    if (this.#stopped) return;
    const streak = this.#failureStreak;
    const backoff = Math.min(this.#maxRetryDelayMs, this.#intervalMs * 2 ** Math.min(streak - 1, 16));
    const delay = streak === 0 ? this.#intervalMs : backoff * (1 + Math.random() * 0.2);
    this.#timer = setTimeout(() => {
      void this.syncNow().finally(() => this.#schedule());
    }, delay);
    this.#timer.unref();
  }

  async #cycle(): Promise<void> {
    if (this.#stopped) return;
    const reconciler = this.#reconciler;
    reconciler.startCycle();
    try {
      if (this.#firstSyncDone) await reconciler.incremental();
      else await this.#fullLoad();
      this.#counts.syncs++;
      this.#lastSyncAt = new Date();
      if (this.#failureStreak > 0) this.#logger.info('configuration store reachable again');
      this.#failureStreak = 0;
    } catch (error) {
      this.#counts.failures++;
      // Log the first failure of a streak loudly, the retries quietly.
      if (this.#failureStreak > 0) this.#logger.debug({ err: error }, 'sync failed, retrying');
      else this.#logger.warn({ err: error }, 'sync failed, serving the last known state');
      this.#failureStreak++;
    } finally {
      // Only a state completed by a full load is worth keeping: a partial first load never overwrites the copy.
      if (reconciler.changed && this.#firstSyncDone) {
        reconciler.changed = false;
        this.#localState?.markDirty();
      }
    }
  }

  async #fullLoad(): Promise<void> {
    const { deploys, undeploys, rejected } = this.#counts;
    await this.#reconciler.fullLoad();
    this.#firstSyncDone = true;
    this.#reconciler.changed = true; // the local copy must reflect the store, even when nothing was deployed
    if (this.#servingFromLocalCopy) {
      this.#servingFromLocalCopy = false;
      this.#logger.info({ apis: this.#target.size }, 'configuration store back: full resync done, local copy left');
    }
    // The per-API lines of a full load are at debug level: this one sums them up.
    const done = {
      apis: this.#target.size,
      deployed: this.#counts.deploys - deploys,
      undeployed: this.#counts.undeploys - undeploys,
      rejected: this.#counts.rejected - rejected,
    };
    this.#logger.info(done, 'full sync done');
  }

  /** Serves the local copy, unless a full load succeeded meanwhile. A missing or unreadable file is logged, ignored. */
  async #loadLocalCopy(): Promise<void> {
    const path = this.#localState!.path;
    let loaded: Awaited<ReturnType<typeof readLocalState>>;
    try {
      loaded = await readLocalState(path);
    } catch (error) {
      this.#logger.error(
        { err: error, path },
        'local state file unreadable, ignored: serving nothing until the store answers',
      );
      return;
    }
    if (loaded === undefined) {
      this.#logger.warn({ path }, 'no local state file: serving nothing until the store answers');
      return;
    }
    if (this.#firstSyncDone || this.#stopped) return;
    const { state, skipped } = loaded;
    if (skipped > 0) this.#logger.warn({ path, skipped }, 'malformed entries of the local state file skipped');
    this.#reconciler.deployLocalCopy(state.apis);
    this.#reconciler.changed = false;
    this.#reconciler.cursor = state.cursor ?? undefined;
    this.#servingFromLocalCopy = true;
    this.#localCopyWrittenAt = new Date(state.writtenAt);
    this.#logger.warn(
      { path, apis: this.#target.size, writtenAt: state.writtenAt },
      'configuration store unreachable: serving the local copy until it answers',
    );
  }

  /** Fails with STORAGE_UNAVAILABLE when the store takes longer than `storeTimeoutMs` to settle `promise`. */
  #bounded<T>(promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const message = `The configuration store did not answer within ${this.#storeTimeoutMs} ms`;
        reject(new ApimError('STORAGE_UNAVAILABLE', { message }));
      }, this.#storeTimeoutMs);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}
