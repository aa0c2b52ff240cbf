import {
  checkRequest,
  decision,
  type RateLimitDecision,
  type RateLimitRequest,
  type RateLimitStore,
  RateLimitStoreError,
  type RateLimitStoreHealth,
  settled,
} from './rate-limit-store.js';

/** Options of {@link MemoryRateLimitStore}. */
export interface MemoryRateLimitStoreOptions {
  /** How often expired counters are removed (default 10 s). */
  sweepIntervalMs?: number;
  /**
   * The most counters kept (default 1,000,000). Past it, expired counters are swept at once and, if that is not
   * enough, the oldest windows are dropped (those keys start a new window: the store fails open, never grows).
   */
  maxKeys?: number;
  /** The clock (tests). */
  now?: () => number;
}

interface Counter {
  count: number;
  resetAt: number;
}

/**
 * Counters in this process: exact for one gateway, not shared between gateways (use Redis for that). Memory stays
 * bounded: expired windows are swept on a timer and the number of counters is capped.
 *
 * @example
 * const store = new MemoryRateLimitStore();
 * await store.consume({ key: 'a', weight: 1, limit: 2, periodMs: 1_000 }); // { allowed: true, count: 1, ... }
 */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #counters = new Map<string, Counter>();
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #timer: NodeJS.Timeout;
  #closed = false;

  constructor(options: MemoryRateLimitStoreOptions = {}) {
    this.#maxKeys = options.maxKeys ?? 1_000_000;
    this.#now = options.now ?? Date.now;
    this.#timer = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 10_000);
    this.#timer.unref();
  }

  /** The number of counters held (expired ones included until the next sweep). */
  get size(): number {
    return this.#counters.size;
  }

  consume(request: RateLimitRequest): Promise<RateLimitDecision> {
    return settled(() => this.consumeNow(request));
  }

  increment(request: RateLimitRequest): Promise<RateLimitDecision> {
    return settled(() => this.#apply(request, true));
  }

  /** `consume` without a promise, for callers that can decide synchronously. */
  consumeNow(request: RateLimitRequest): RateLimitDecision {
    return this.#apply(request, false);
  }

  #apply(request: RateLimitRequest, force: boolean): RateLimitDecision {
    if (this.#closed) throw new RateLimitStoreError('RATELIMIT_STORE_UNAVAILABLE', 'the memory store is closed');
    checkRequest(request);
    const now = this.#now();
    let counter = this.#counters.get(request.key);
    if (counter === undefined || counter.resetAt <= now) {
      if (counter !== undefined) this.#counters.delete(request.key);
      else if (this.#counters.size >= this.#maxKeys) this.#makeRoom(now);
      counter = { count: 0, resetAt: now + request.periodMs };
      this.#counters.set(request.key, counter);
    }
    const allowed = counter.count + request.weight <= request.limit;
    if (allowed || force) counter.count += request.weight;
    return decision(allowed, counter.count, request.limit, counter.resetAt);
  }

  #makeRoom(now: number): void {
    this.sweep(now);
    // Still full: drop the oldest windows (insertion order), a tenth at a time so this stays rare.
    if (this.#counters.size < this.#maxKeys) return;
    let drop = Math.max(1, Math.floor(this.#maxKeys / 10));
    for (const key of this.#counters.keys()) {
      this.#counters.delete(key);
      if (--drop === 0) break;
    }
  }

  /** Removes the expired counters; returns how many. */
  sweep(now = this.#now()): number {
    let removed = 0;
    for (const [key, counter] of this.#counters) {
      if (counter.resetAt <= now) {
        this.#counters.delete(key);
        removed++;
      }
    }
    return removed;
  }

  async health(): Promise<RateLimitStoreHealth> {
    return this.#closed ? { healthy: false, message: 'closed' } : { healthy: true, message: 'in memory' };
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#counters.clear();
  }
}
