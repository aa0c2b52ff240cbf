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

/** Options of {@link AsyncRateLimitStore}. */
export interface AsyncRateLimitStoreOptions {
  /** How often local increments are sent to the backing store (default 1 s). */
  syncIntervalMs?: number;
  /** Called when a synchronisation fails (the increments are kept and sent with the next one). */
  onError?: (error: unknown) => void;
  /** The clock (tests). */
  now?: () => number;
}

interface LocalCounter {
  limit: number;
  periodMs: number;
  /** The shared count at the last synchronisation. */
  shared: number;
  /** Admitted here and not yet sent. */
  pending: number;
  /** Being sent by the running synchronisation. */
  sending: number;
  resetAt: number;
}

/**
 * The policies' `async: true` mode: decisions come from local counters at once (no I/O on the request path), and the
 * local increments are sent to the backing store (Redis) every `syncIntervalMs`, which answers the shared count.
 *
 * Over-admission bound: a gateway decides against `shared + pending`, where `shared` is the count the backing store
 * answered at the last synchronisation. Between two synchronisations it admits at most `limit - shared` requests
 * without knowing what the others admitted, so each gateway over-admits at most what it admits locally during one
 * interval beyond the shared count: with N gateways, a window admits at most `limit + (N - 1) * (limit - shared)`,
 * that is `N * limit` when all start together, and converges to `limit` once the counts are shared.
 * A window is the backing store's when known (its reset time), else local.
 *
 * @example const store = new AsyncRateLimitStore(await new RedisRateLimitStore({ url }).connect(), { syncIntervalMs: 1_000 });
 */
export class AsyncRateLimitStore implements RateLimitStore {
  readonly #backing: RateLimitStore;
  readonly #counters = new Map<string, LocalCounter>();
  readonly #now: () => number;
  readonly #onError: ((error: unknown) => void) | undefined;
  readonly #timer: NodeJS.Timeout;
  #syncing: Promise<void> | undefined;
  #closed = false;

  constructor(backing: RateLimitStore, options: AsyncRateLimitStoreOptions = {}) {
    this.#backing = backing;
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError;
    this.#timer = setInterval(() => void this.sync(), options.syncIntervalMs ?? 1_000);
    this.#timer.unref();
  }

  /** The number of local counters. */
  get size(): number {
    return this.#counters.size;
  }

  consume(request: RateLimitRequest): Promise<RateLimitDecision> {
    return settled(() => this.#apply(request, false));
  }

  increment(request: RateLimitRequest): Promise<RateLimitDecision> {
    return settled(() => this.#apply(request, true));
  }

  #apply(request: RateLimitRequest, force: boolean): RateLimitDecision {
    if (this.#closed) throw new RateLimitStoreError('RATELIMIT_STORE_UNAVAILABLE', 'the async store is closed');
    checkRequest(request);
    const now = this.#now();
    let counter = this.#counters.get(request.key);
    if (counter === undefined || counter.resetAt <= now) {
      // A new window: increments of the ended one that were not sent belong to a window that is gone.
      counter = {
        limit: request.limit,
        periodMs: request.periodMs,
        shared: 0,
        pending: 0,
        sending: 0,
        resetAt: now + request.periodMs,
      };
      this.#counters.set(request.key, counter);
    }
    counter.limit = request.limit;
    const count = counter.shared + counter.pending + counter.sending;
    const allowed = count + request.weight <= request.limit;
    if (allowed || force) counter.pending += request.weight;
    return decision(allowed, count + (allowed || force ? request.weight : 0), request.limit, counter.resetAt);
  }

  /**
   * Sends the local increments of every live counter (weight 0 when there are none: a read) and takes the shared
   * count and reset time the backing store answers; expired counters are dropped, so the work per interval is one
   * call per key used in a live window. Runs on the interval; concurrent calls share one run. Never rejects.
   */
  sync(): Promise<void> {
    this.#syncing ??= this.#syncOnce().finally(() => {
      this.#syncing = undefined;
    });
    return this.#syncing;
  }

  async #syncOnce(): Promise<void> {
    const now = this.#now();
    const batch: [string, LocalCounter][] = [];
    for (const [key, counter] of this.#counters) {
      if (counter.resetAt <= now) {
        this.#counters.delete(key);
        continue;
      }
      batch.push([key, counter]);
    }
    // Bounded concurrency: Redis pipelines what is in flight.
    for (let i = 0; i < batch.length; i += 256) {
      await Promise.all(batch.slice(i, i + 256).map(([key, counter]) => this.#syncCounter(key, counter)));
    }
  }

  async #syncCounter(key: string, counter: LocalCounter): Promise<void> {
    const weight = counter.pending;
    counter.pending = 0;
    counter.sending = weight;
    try {
      const state = await this.#backing.increment({ key, weight, limit: counter.limit, periodMs: counter.periodMs });
      counter.shared = state.count;
      counter.resetAt = state.resetAt;
    } catch (error) {
      counter.pending += weight; // sent with the next synchronisation
      this.#onError?.(error);
    } finally {
      counter.sending = 0;
    }
  }

  health(): Promise<RateLimitStoreHealth> {
    return this.#backing.health();
  }

  /** Sends what is pending, then closes the backing store. */
  async close(): Promise<void> {
    if (this.#closed) return;
    clearInterval(this.#timer);
    await this.sync();
    this.#closed = true;
    this.#counters.clear();
    await this.#backing.close();
  }
}
