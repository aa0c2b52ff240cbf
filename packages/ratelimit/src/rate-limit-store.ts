/**
 * The counter-store contract of the rate-limit, quota and spike-arrest policies: fixed windows, as Gravitee's
 * `RateLimitService` keeps them. Stores are shared by every policy of a gateway (`PolicyFactoryContext.services`).
 */

/** One request for a counter. */
export interface RateLimitRequest {
  /** The counter's key (the store may prefix it). */
  key: string;
  /** What this request counts for (1 for one request). */
  weight: number;
  /** The most the window admits. */
  limit: number;
  /** The window's length, used only when this request starts a new window. */
  periodMs: number;
}

/** The state of a counter after a request. */
export interface RateLimitDecision {
  /** True when the request was admitted (and counted). */
  allowed: boolean;
  /** The window's count after this request: what was admitted so far. */
  count: number;
  limit: number;
  /** `max(0, limit - count)`. */
  remaining: number;
  /** When the window ends, epoch milliseconds. */
  resetAt: number;
}

/** What `health()` reports (the node service's `ratelimit-repository` probe). */
export interface RateLimitStoreHealth {
  healthy: boolean;
  message?: string;
}

/**
 * A counter store with fixed windows. The first request for a key opens a window ending `periodMs` later; a request
 * is admitted while `count + weight <= limit`. A refused request is not counted, so `count` never exceeds the limit
 * through `consume` and equals what was admitted.
 *
 * @example
 * const decision = await store.consume({ key: 'rl:api:plan:sub', weight: 1, limit: 10, periodMs: 1_000 });
 * if (!decision.allowed) answer429(decision.resetAt);
 */
export interface RateLimitStore {
  /** Counts the request when the window admits it. Rejects with a `RateLimitStoreError` when the store fails. */
  consume(request: RateLimitRequest): Promise<RateLimitDecision>;
  /**
   * Adds `weight` whatever the limit (opening the window when needed) and returns the state: how the asynchronous
   * store sends the increments it admitted locally. `weight` 0 reads the counter.
   */
  increment(request: RateLimitRequest): Promise<RateLimitDecision>;
  health(): Promise<RateLimitStoreHealth>;
  /** Releases connections and timers; further calls reject. */
  close(): Promise<void>;
}

/** The error codes of the counter stores. */
export type RateLimitStoreErrorCode =
  /** No answer within the store's command timeout. */
  | 'RATELIMIT_STORE_TIMEOUT'
  /** The store is not connected (Redis down, closed store). */
  | 'RATELIMIT_STORE_UNAVAILABLE'
  /** The store answered with an error. */
  | 'RATELIMIT_STORE_ERROR';

/** Why a counter store call failed; `cause` is the driver's error. */
export class RateLimitStoreError extends Error {
  override readonly name = 'RateLimitStoreError';
  readonly code: RateLimitStoreErrorCode;

  constructor(code: RateLimitStoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Refuses a request that no store can count (negative weight, limit or period, non-finite numbers). */
export function checkRequest(request: RateLimitRequest): void {
  const { weight, limit, periodMs } = request;
  if (!Number.isSafeInteger(weight) || weight < 0) throw new RangeError(`weight must be an integer >= 0: ${weight}`);
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`limit must be an integer >= 0: ${limit}`);
  if (!Number.isSafeInteger(periodMs) || periodMs < 1) throw new RangeError(`periodMs must be an integer >= 1`);
}

/** The decision for a counter state. */
export function decision(allowed: boolean, count: number, limit: number, resetAt: number): RateLimitDecision {
  return { allowed, count, limit, remaining: Math.max(0, limit - count), resetAt };
}

/** A synchronous decision as the promise the interface returns (a throw becomes a rejection). */
export function settled<T>(decide: () => T): Promise<T> {
  try {
    return Promise.resolve(decide());
  } catch (error) {
    return Promise.reject(error);
  }
}
