import type { ClusterNode } from 'ioredis';
import { AsyncRateLimitStore } from './async-store.js';
import { MemoryRateLimitStore } from './memory-store.js';
import type { RateLimitStore } from './rate-limit-store.js';
import { RedisRateLimitStore, type RedisRateLimitStoreOptions } from './redis-store.js';

/** The counter store of a gateway, as its configuration file declares it. */
export type RateLimitStoreConfig =
  | { type: 'memory'; sweepIntervalMs?: number; maxKeys?: number }
  | {
      type: 'redis';
      /** Standalone: `redis://[:password@]host:6379[/db]`, `rediss://` for TLS. */
      url?: string;
      /** Sentinel: the sentinels and the master group name. */
      sentinels?: { host: string; port: number }[];
      name?: string;
      password?: string;
      sentinelPassword?: string;
      /** Cluster: the startup nodes. */
      cluster?: ClusterNode[];
      commandTimeoutMs?: number;
      connectTimeoutMs?: number;
      prefix?: string;
    };

/**
 * Builds the store a configuration names. Redis takes exactly one of `url`, `sentinels` (with `name`) or `cluster`;
 * the store connects in the background (calls reject until it is ready).
 *
 * @example const store = createRateLimitStore({ type: 'redis', url: 'redis://127.0.0.1:6379', commandTimeoutMs: 50 });
 */
export function createRateLimitStore(
  config: RateLimitStoreConfig,
  options: { onError?: (error: Error) => void } = {},
): RateLimitStore {
  if (config.type === 'memory') {
    return new MemoryRateLimitStore({
      ...(config.sweepIntervalMs === undefined ? {} : { sweepIntervalMs: config.sweepIntervalMs }),
      ...(config.maxKeys === undefined ? {} : { maxKeys: config.maxKeys }),
    });
  }
  if (config.type !== 'redis')
    throw new TypeError(`unknown rate-limit store type [${(config as { type: string }).type}]`);
  const given = [config.url, config.sentinels, config.cluster].filter((v) => v !== undefined).length;
  if (given !== 1) throw new TypeError('a redis rate-limit store needs exactly one of url, sentinels or cluster');
  const common = {
    ...(config.commandTimeoutMs === undefined ? {} : { commandTimeoutMs: config.commandTimeoutMs }),
    ...(config.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: config.connectTimeoutMs }),
    ...(config.prefix === undefined ? {} : { prefix: config.prefix }),
    ...(options.onError === undefined ? {} : { onError: options.onError }),
  };
  let connection: RedisRateLimitStoreOptions;
  if (config.url !== undefined) connection = { url: config.url, ...common };
  else if (config.cluster !== undefined) connection = { cluster: config.cluster, ...common };
  else {
    if (config.name === undefined) throw new TypeError('a redis rate-limit store with sentinels needs the master name');
    connection = {
      sentinels: config.sentinels!,
      name: config.name,
      ...(config.password === undefined ? {} : { password: config.password }),
      ...(config.sentinelPassword === undefined ? {} : { sentinelPassword: config.sentinelPassword }),
      ...common,
    };
  }
  return new RedisRateLimitStore(connection);
}

/** Wraps a store for the policies' `async: true` mode (see {@link AsyncRateLimitStore}). */
export function createAsyncRateLimitStore(backing: RateLimitStore, syncIntervalMs = 1_000): AsyncRateLimitStore {
  return new AsyncRateLimitStore(backing, { syncIntervalMs });
}
