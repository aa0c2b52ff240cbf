/**
 * Keeps the gateway's subscriptions and API keys in step with the configuration store: a full load at start, then
 * every `syncIntervalMs` (and at once on the store's push signal) the records updated since the last cycle, with an
 * overlap window for writes committed late. Revoked keys and closed, rejected or ended subscriptions are dropped, so
 * a revocation reaches the request path within one cycle.
 *
 * The cursor is the newest `updatedAt` read (the writers' clock, so the gateway's own clock does not matter). A store
 * that fails is retried at the next cycle; the last known state keeps serving meanwhile.
 */

import { readFile } from 'node:fs/promises';
import type { ConfigStore } from '@apim/core';
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { EnvironmentScope } from '../environment-scope.js';
import { writeJsonAtomically } from '../local-state.js';
import { type KnownApiKey, type KnownSubscription, knownApiKey, knownSubscription } from './subscription-registry.js';

/** Where the sync writes what it reads: the registry, or the cluster primary's broadcaster. */
export interface SecuritySink {
  putSubscription(subscription: KnownSubscription): void;
  putApiKey(key: KnownApiKey): void;
  /** Replaces everything (after a full load). */
  clear(): void;
  /** Called after each cycle that read something (a broadcaster sends what it gathered). */
  flush?(): void;
}

export interface SecuritySyncOptions {
  store: ConfigStore;
  sink: SecuritySink;
  /** The environments served (default: all). */
  scope?: EnvironmentScope;
  /** Polling period (default 500 ms). */
  syncIntervalMs?: number;
  /** How far back each cycle re-reads (default 5 s). */
  overlapMs?: number;
  /** How long one store call may take (default 5 s). */
  storeTimeoutMs?: number;
  /**
   * File keeping a copy of the subscriptions and keys (hashes only), written after changes and read when the store
   * is unreachable at start (default: none). Needs `state`.
   */
  localStatePath?: string;
  /** What the local copy holds: the registry (or the cluster primary's copy). */
  state?: () => { subscriptions: Iterable<KnownSubscription>; apiKeys: Iterable<KnownApiKey> };
  /** Delay between a change and the write of the local copy (default 1 s). */
  localStateDebounceMs?: number;
  logger?: Logger;
}

/** The content of the security local copy. */
interface SecurityLocalState {
  version: 1;
  writtenAt: string;
  subscriptions: KnownSubscription[];
  apiKeys: KnownApiKey[];
}

const PAGE = 1_000;
const LIVE_STATUSES = ['ACCEPTED', 'PAUSED', 'PENDING'] as const;

function later(a: string | undefined, b: string): string {
  return a === undefined || Date.parse(b) > Date.parse(a) ? b : a;
}

/** Synchronises subscriptions and API keys into a {@link SecuritySink}. */
export class SecuritySync {
  readonly #store: ConfigStore;
  readonly #sink: SecuritySink;
  readonly #scope: EnvironmentScope | undefined;
  readonly #intervalMs: number;
  readonly #overlapMs: number;
  readonly #storeTimeoutMs: number;
  readonly #logger: Logger;
  /** Newest updatedAt read; undefined until the first full load succeeded. */
  #cursor: string | undefined;
  /** When the cursor was last set (monotonic clock): the writers' time has moved on by as much since. */
  #cursorSetAt = 0;
  #loaded = false;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => Promise<void>) | undefined;
  #failures = 0;
  readonly #localStatePath: string | undefined;
  readonly #state: SecuritySyncOptions['state'];
  readonly #localStateDebounceMs: number;
  #writeTimer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  #servingFromLocalCopy = false;

  constructor(options: SecuritySyncOptions) {
    this.#store = options.store;
    this.#sink = options.sink;
    this.#scope = options.scope;
    this.#intervalMs = options.syncIntervalMs ?? 500;
    this.#overlapMs = options.overlapMs ?? 5_000;
    this.#storeTimeoutMs = options.storeTimeoutMs ?? 5_000;
    this.#logger = options.logger ?? pino({ level: 'silent' });
    this.#localStatePath = options.state === undefined ? undefined : options.localStatePath;
    this.#state = options.state;
    this.#localStateDebounceMs = options.localStateDebounceMs ?? 1_000;
  }

  /** Whether the subscriptions and keys served come from the local copy (the store has not answered yet). */
  get servingFromLocalCopy(): boolean {
    return this.#servingFromLocalCopy;
  }

  /** Whether the full load has succeeded. */
  get loaded(): boolean {
    return this.#loaded;
  }

  /** Cycles that failed in a row (0 when the last one succeeded). */
  get failureStreak(): number {
    return this.#failures;
  }

  /** Runs the full load (a failure is logged and retried by the next cycles), then schedules the cycles. */
  async start(): Promise<void> {
    await this.syncNow();
    if (!this.#loaded && this.#localStatePath !== undefined) await this.#loadLocalCopy(this.#localStatePath);
    if (this.#store.onChange !== undefined) {
      try {
        this.#unsubscribe = (await this.#bounded(this.#store.onChange(() => void this.syncNow()))) ?? undefined;
      } catch (error) {
        this.#logger.warn({ err: error }, 'no push signal for subscriptions and keys; polling only');
      }
    }
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#unsubscribe?.().catch(() => undefined);
    await this.#running;
    if (this.#writeTimer !== undefined) {
      clearTimeout(this.#writeTimer);
      this.#writeTimer = undefined;
      this.#writeLocalCopy();
    }
    await this.#writing;
  }

  /** Serves the local copy when the store is unreachable at start (the next full load replaces it). */
  async #loadLocalCopy(path: string): Promise<void> {
    let state: SecurityLocalState;
    try {
      state = JSON.parse(await readFile(path, 'utf8')) as SecurityLocalState;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.#logger.error({ err: error, path }, 'local copy of subscriptions and API keys unreadable');
      }
      return;
    }
    if (state?.version !== 1 || !Array.isArray(state.subscriptions) || !Array.isArray(state.apiKeys)) {
      this.#logger.error({ path }, 'local copy of subscriptions and API keys malformed');
      return;
    }
    this.#sink.clear();
    for (const subscription of state.subscriptions) this.#sink.putSubscription(subscription);
    for (const key of state.apiKeys) this.#sink.putApiKey(key);
    this.#sink.flush?.();
    this.#servingFromLocalCopy = true;
    this.#logger.warn(
      { path, writtenAt: state.writtenAt, subscriptions: state.subscriptions.length, apiKeys: state.apiKeys.length },
      'configuration store unreachable: serving subscriptions and API keys from the local copy',
    );
  }

  /** Writes the local copy after changes, debounced. */
  #scheduleWrite(): void {
    if (this.#localStatePath === undefined || this.#writeTimer !== undefined || this.#stopped) return;
    this.#writeTimer = setTimeout(() => {
      this.#writeTimer = undefined;
      this.#writeLocalCopy();
    }, this.#localStateDebounceMs);
    this.#writeTimer.unref();
  }

  #writeLocalCopy(): void {
    const path = this.#localStatePath!;
    const { subscriptions, apiKeys } = this.#state!();
    const header = JSON.stringify({ version: 1, writtenAt: new Date().toISOString() });
    const json = (value: unknown) => () => JSON.stringify(value);
    this.#writing = this.#writing
      .then(() =>
        writeJsonAtomically(path, header, {
          subscriptions: [...subscriptions].map(json),
          apiKeys: [...apiKeys].map(json),
        }),
      )
      .catch((error: unknown) => this.#logger.error({ err: error, path }, 'local copy of subscriptions not written'));
  }

  /** Runs one cycle now (full load until one succeeded, then incremental); concurrent calls coalesce. */
  syncNow(): Promise<void> {
    if (this.#running !== undefined) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#cycle().finally(() => {
      this.#running = undefined;
      if (this.#again && !this.#stopped) {
        this.#again = false;
        void this.syncNow();
      }
    });
    return this.#running;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.syncNow().finally(() => this.#schedule());
    }, this.#intervalMs);
    this.#timer.unref();
  }

  async #cycle(): Promise<void> {
    try {
      if (this.#loaded) await this.#incremental();
      else await this.#fullLoad();
      if (this.#failures > 0) this.#logger.info('subscriptions and API keys in sync again');
      this.#failures = 0;
    } catch (error) {
      this.#failures++;
      if (this.#failures === 1 || this.#failures % 20 === 0) {
        this.#logger.warn({ err: error, failures: this.#failures }, 'subscription and API key sync failed');
      }
    }
  }

  #allows(environmentId: string): boolean {
    return this.#scope === undefined || this.#scope.allows(environmentId);
  }

  async #fullLoad(): Promise<void> {
    if (this.#scope?.byOrganization) await this.#bounded(this.#scope.refresh(this.#store));
    const subscriptions: KnownSubscription[] = [];
    let cursor: string | undefined;
    for (let page = 1; ; page++) {
      const result = await this.#bounded(
        this.#store.subscriptions.search({ statuses: [...LIVE_STATUSES] }, { page, perPage: PAGE }),
      );
      for (const subscription of result.data) {
        cursor = later(cursor, subscription.updatedAt);
        if (this.#allows(subscription.environmentId)) subscriptions.push(knownSubscription(subscription));
      }
      if (result.data.length < PAGE) break;
    }
    const keys = await this.#bounded(this.#store.apiKeys.search({}));
    for (const key of keys) cursor = later(cursor, key.updatedAt);
    // Applied in one synchronous step: requests never see a half-loaded state.
    this.#sink.clear();
    for (const subscription of subscriptions) this.#sink.putSubscription(subscription);
    let served = 0;
    for (const key of keys) {
      if (!this.#allows(key.environmentId)) continue;
      this.#sink.putApiKey(knownApiKey(key));
      served++;
    }
    this.#sink.flush?.();
    this.#cursor = cursor ?? new Date(0).toISOString();
    this.#cursorSetAt = performance.now();
    this.#loaded = true;
    if (this.#servingFromLocalCopy) {
      this.#servingFromLocalCopy = false;
      this.#logger.info('configuration store back: subscriptions and API keys reloaded, local copy left');
    }
    this.#scheduleWrite();
    this.#logger.info({ subscriptions: subscriptions.length, apiKeys: served }, 'subscriptions and API keys loaded');
  }

  async #incremental(): Promise<void> {
    // The overlap window before the writers' time now (the cursor plus the time elapsed since it was read), so that a
    // quiet store does not make every cycle re-read the last burst of changes.
    const since = new Date(
      Date.parse(this.#cursor!) + (performance.now() - this.#cursorSetAt) - this.#overlapMs,
    ).toISOString();
    let cursor = this.#cursor!;
    let changed = 0;
    for (let page = 1; ; page++) {
      const result = await this.#bounded(
        this.#store.subscriptions.search({ updatedSince: since }, { page, perPage: PAGE }),
      );
      for (const subscription of result.data) {
        cursor = later(cursor, subscription.updatedAt);
        if (!this.#allows(subscription.environmentId)) continue;
        this.#sink.putSubscription(knownSubscription(subscription));
        changed++;
      }
      if (result.data.length < PAGE) break;
    }
    const keys = await this.#bounded(this.#store.apiKeys.search({ updatedSince: since, includeRevoked: true }));
    for (const key of keys) {
      cursor = later(cursor, key.updatedAt);
      if (!this.#allows(key.environmentId)) continue;
      this.#sink.putApiKey(knownApiKey(key));
      changed++;
    }
    if (changed > 0) {
      this.#sink.flush?.();
      this.#scheduleWrite();
    }
    if (cursor !== this.#cursor) {
      this.#cursor = cursor;
      this.#cursorSetAt = performance.now();
    }
    if (changed > 0) this.#logger.debug({ changed }, 'subscriptions and API keys updated');
  }

  #bounded<T>(operation: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`store call timed out after ${this.#storeTimeoutMs} ms`)),
        this.#storeTimeoutMs,
      );
    });
    return Promise.race([operation, timeout]).finally(() => clearTimeout(timer));
  }
}
