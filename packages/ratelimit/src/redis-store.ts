import { Cluster, type ClusterNode, Redis, type RedisOptions } from 'ioredis';
import {
  checkRequest,
  decision,
  type RateLimitDecision,
  type RateLimitRequest,
  type RateLimitStore,
  RateLimitStoreError,
  type RateLimitStoreHealth,
} from './rate-limit-store.js';

/**
 * The one script of a decision, run atomically by Redis (EVALSHA, EVAL on NOSCRIPT: ioredis `defineCommand`).
 * KEYS[1] the counter; ARGV weight, limit, period (ms), force (1: add whatever the limit).
 * A key without a positive PTTL (absent, expired, or without expiry) opens a new window of `period` ms. The weight
 * is added when `count + weight <= limit` (or when forced); a refused request writes nothing to an open window.
 * Returns { allowed (0/1), count, pttl }.
 */
export const RATE_LIMIT_SCRIPT = `
local ttl = redis.call('PTTL', KEYS[1])
local count = 0
local fresh = ttl <= 0
if fresh then
  ttl = tonumber(ARGV[3])
else
  count = tonumber(redis.call('GET', KEYS[1])) or 0
end
local weight = tonumber(ARGV[1])
local allowed = 0
if count + weight <= tonumber(ARGV[2]) then allowed = 1 end
if allowed == 1 or ARGV[4] == '1' then
  count = count + weight
  if fresh then
    redis.call('SET', KEYS[1], count, 'PX', ttl)
  elseif weight > 0 then
    redis.call('INCRBY', KEYS[1], weight)
  end
elseif fresh then
  redis.call('SET', KEYS[1], count, 'PX', ttl)
end
return { allowed, count, ttl }
`;

/** Where Redis is: a standalone URL, Sentinel, or Cluster nodes. */
export type RedisConnection =
  | { url: string }
  | {
      sentinels: { host: string; port: number }[];
      /** The master group name. */
      name: string;
      password?: string;
      sentinelPassword?: string;
      db?: number;
    }
  | { cluster: ClusterNode[] };

/** Options of {@link RedisRateLimitStore}. */
export type RedisRateLimitStoreOptions = RedisConnection & {
  /** The longest a call may wait for Redis (default 50 ms); past it the call rejects with RATELIMIT_STORE_TIMEOUT. */
  commandTimeoutMs?: number;
  /** Prefix of every counter key (default `apim:rl:`). */
  prefix?: string;
  /** Connection timeout (default 2 s). */
  connectTimeoutMs?: number;
  /** Called with connection errors (ioredis keeps reconnecting with a backoff). */
  onError?: (error: Error) => void;
  /** Extra ioredis options (TLS, username...); the options that bound waiting always win. */
  redisOptions?: RedisOptions;
};

type ScriptClient = (Redis | Cluster) & {
  apimRateLimit(key: string, weight: number, limit: number, periodMs: number, force: 0 | 1): Promise<unknown>;
};

const DEFAULT_TIMEOUT_MS = 50;

/** Reconnect after 50 ms, doubling up to 2 s, forever: the store recovers by itself when Redis is back. */
export const reconnectDelay = (times: number) => Math.min(50 * 2 ** Math.min(times - 1, 6), 2_000);

/**
 * Counters in Redis, shared by every gateway: one Lua script per decision, so N gateways never admit more than the
 * limit in a window. Nothing waits on a slow or dead Redis: the offline queue is disabled (a call while disconnected
 * rejects at once with RATELIMIT_STORE_UNAVAILABLE), commands are not retried, and every call is bounded by
 * `commandTimeoutMs` (RATELIMIT_STORE_TIMEOUT). A command that timed out may still be applied by Redis later.
 *
 * @example
 * const store = await new RedisRateLimitStore({ url: 'redis://127.0.0.1:6379', commandTimeoutMs: 50 }).connect();
 */
export class RedisRateLimitStore implements RateLimitStore {
  readonly #client: ScriptClient;
  readonly #timeoutMs: number;
  readonly #connectTimeoutMs: number;
  readonly #prefix: string;
  #lastError: Error | undefined;
  #closed = false;

  constructor(options: RedisRateLimitStoreOptions) {
    this.#timeoutMs = options.commandTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 2_000;
    this.#prefix = options.prefix ?? 'apim:rl:';
    const bounded: RedisOptions = {
      ...options.redisOptions,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: this.#timeoutMs,
      connectTimeout: this.#connectTimeoutMs,
    };
    let client: Redis | Cluster;
    if ('cluster' in options) {
      client = new Cluster(options.cluster, {
        enableOfflineQueue: false,
        clusterRetryStrategy: reconnectDelay,
        redisOptions: bounded,
      });
    } else if ('sentinels' in options) {
      client = new Redis({
        ...bounded,
        sentinels: options.sentinels,
        name: options.name,
        ...(options.password === undefined ? {} : { password: options.password }),
        ...(options.sentinelPassword === undefined ? {} : { sentinelPassword: options.sentinelPassword }),
        ...(options.db === undefined ? {} : { db: options.db }),
        retryStrategy: reconnectDelay,
        sentinelRetryStrategy: reconnectDelay,
      });
    } else {
      client = new Redis(options.url, { ...bounded, retryStrategy: reconnectDelay });
    }
    client.on('error', (error: Error) => {
      this.#lastError = error;
      options.onError?.(error);
    });
    client.on('ready', () => {
      this.#lastError = undefined;
    });
    client.defineCommand('apimRateLimit', { numberOfKeys: 1, lua: RATE_LIMIT_SCRIPT });
    this.#client = client as ScriptClient;
  }

  /** Waits until Redis is ready (at most the connect timeout); resolves with the store. Calls before that reject. */
  async connect(): Promise<this> {
    const client = this.#client;
    if (client.status === 'ready') return this;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        client.off('ready', onReady);
        reject(
          new RateLimitStoreError(
            'RATELIMIT_STORE_UNAVAILABLE',
            `Redis not ready within ${this.#connectTimeoutMs} ms`,
            {
              cause: this.#lastError,
            },
          ),
        );
      }, this.#connectTimeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      client.once('ready', onReady);
    });
    return this;
  }

  consume(request: RateLimitRequest): Promise<RateLimitDecision> {
    return this.#run(request, 0);
  }

  increment(request: RateLimitRequest): Promise<RateLimitDecision> {
    return this.#run(request, 1);
  }

  async #run(request: RateLimitRequest, force: 0 | 1): Promise<RateLimitDecision> {
    checkRequest(request);
    if (this.#closed) throw new RateLimitStoreError('RATELIMIT_STORE_UNAVAILABLE', 'the Redis store is closed');
    const { key, weight, limit, periodMs } = request;
    const reply = await this.#bounded(
      this.#client.apimRateLimit(this.#prefix + key, weight, limit, periodMs, force),
      'rate-limit script',
    );
    if (!Array.isArray(reply) || reply.length !== 3)
      throw new RateLimitStoreError('RATELIMIT_STORE_ERROR', `unexpected script reply: ${JSON.stringify(reply)}`);
    const [allowed, count, pttl] = reply.map(Number) as [number, number, number];
    return decision(allowed === 1, count, limit, Date.now() + pttl);
  }

  /** Races a command against the timeout and turns driver errors into `RateLimitStoreError`s. */
  #bounded<T>(command: Promise<T>, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new RateLimitStoreError('RATELIMIT_STORE_TIMEOUT', `${what}: no answer from Redis in ${this.#timeoutMs} ms`),
        );
      }, this.#timeoutMs);
      command.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(toStoreError(error, what));
        },
      );
    });
  }

  async health(): Promise<RateLimitStoreHealth> {
    if (this.#closed) return { healthy: false, message: 'closed' };
    try {
      await this.#bounded(this.#client.ping(), 'ping');
      return { healthy: true, message: 'Redis reachable' };
    } catch (error) {
      const cause = this.#lastError === undefined ? '' : ` (${this.#lastError.message})`;
      return { healthy: false, message: `Redis unreachable: ${(error as Error).message}${cause}` };
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const client = this.#client;
    if (client.status !== 'ready') {
      client.disconnect();
      return;
    }
    try {
      await this.#bounded(client.quit(), 'quit');
    } catch {
      client.disconnect();
    }
  }
}

function toStoreError(error: unknown, what: string): RateLimitStoreError {
  if (error instanceof RateLimitStoreError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/timed out/i.test(message))
    return new RateLimitStoreError('RATELIMIT_STORE_TIMEOUT', `${what}: ${message}`, { cause: error });
  if (/enableOfflineQueue|Connection is closed|not writeable|ECONNREFUSED|None of the/i.test(message))
    return new RateLimitStoreError('RATELIMIT_STORE_UNAVAILABLE', `${what}: Redis unavailable: ${message}`, {
      cause: error,
    });
  return new RateLimitStoreError('RATELIMIT_STORE_ERROR', `${what}: ${message}`, { cause: error });
}
