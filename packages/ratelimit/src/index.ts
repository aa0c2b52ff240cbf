/**
 * Counter stores of the rate-limit, quota and spike-arrest policies: in memory (one gateway), Redis (shared by every
 * gateway, one atomic script per decision), and asynchronous (local decisions synchronised on an interval).
 */
export { AsyncRateLimitStore, type AsyncRateLimitStoreOptions } from './async-store.js';
export { createAsyncRateLimitStore, createRateLimitStore, type RateLimitStoreConfig } from './create-store.js';
export { MemoryRateLimitStore, type MemoryRateLimitStoreOptions } from './memory-store.js';
export {
  type RateLimitDecision,
  type RateLimitRequest,
  type RateLimitStore,
  RateLimitStoreError,
  type RateLimitStoreErrorCode,
  type RateLimitStoreHealth,
} from './rate-limit-store.js';
export {
  RATE_LIMIT_SCRIPT,
  type RedisConnection,
  RedisRateLimitStore,
  type RedisRateLimitStoreOptions,
  reconnectDelay,
} from './redis-store.js';
