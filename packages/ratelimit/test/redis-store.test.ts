/**
 * The Redis counter store against a real server (APIM_TEST_REDIS_URL): atomicity across store instances, bounded
 * waiting when Redis is dead or paused, recovery by itself, and the asynchronous mode's bound.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AsyncRateLimitStore,
  createRateLimitStore,
  type RateLimitStore,
  RateLimitStoreError,
  RedisRateLimitStore,
  type RedisRateLimitStoreOptions,
} from '../src/index.js';

const REDIS_URL = process.env.APIM_TEST_REDIS_URL;

describe.skipIf(!REDIS_URL)('RedisRateLimitStore (APIM_TEST_REDIS_URL)', () => {
  let admin: Redis;
  const open: RateLimitStore[] = [];
  let prefix = '';

  const store = async (options: Partial<RedisRateLimitStoreOptions> = {}) => {
    const s = new RedisRateLimitStore({ url: REDIS_URL!, prefix, ...options } as RedisRateLimitStoreOptions);
    open.push(s);
    return s.connect();
  };
  const req = (limit: number, key = 'k', weight = 1, periodMs = 10_000) => ({ key, limit, weight, periodMs });
  const rejection = async (promise: Promise<unknown>) => {
    const started = performance.now();
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    return { error: error as RateLimitStoreError, ms: performance.now() - started };
  };

  beforeAll(() => {
    admin = new Redis(REDIS_URL!);
  });
  afterAll(async () => {
    await admin.quit();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  // A unique key prefix per test: runs never see each other's counters.
  const fresh = () => {
    prefix = `apim-test:${randomUUID()}:`;
  };

  it('counts a fixed window with one script: weights, refusals not counted, the window expires in Redis', async () => {
    fresh();
    const s = await store();
    const decisions = [];
    for (const weight of [2, 2, 2, 1]) decisions.push(await s.consume(req(5, 'w', weight, 300)));
    expect(decisions.map((d) => [d.allowed, d.count, d.remaining])).toEqual([
      [true, 2, 3],
      [true, 4, 1],
      [false, 4, 1],
      [true, 5, 0],
    ]);
    const pttl = await admin.pttl(`${prefix}w`);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(300);
    expect(decisions[3]!.resetAt - Date.now()).toBeLessThanOrEqual(300);
    expect(await admin.get(`${prefix}w`)).toBe('5');
    await new Promise((resolve) => setTimeout(resolve, Math.max(pttl, 0) + 20));
    expect(await s.consume(req(5, 'w', 1, 300))).toMatchObject({ allowed: true, count: 1 });
  });

  it('falls back to EVAL when the script is not cached (SCRIPT FLUSH)', async () => {
    fresh();
    const s = await store();
    await s.consume(req(3));
    await admin.script('FLUSH');
    expect((await s.consume(req(3))).count).toBe(2);
  });

  it('five stores hammering one key concurrently admit exactly the limit', async () => {
    fresh();
    const stores = await Promise.all([1, 2, 3, 4, 5].map(() => store({ commandTimeoutMs: 5_000 })));
    const limit = 137;
    const calls = stores.flatMap((s) => Array.from({ length: 100 }, () => s.consume(req(limit, 'hot'))));
    const decisions = await Promise.all(calls);
    expect(decisions.filter((d) => d.allowed)).toHaveLength(limit);
    expect(await admin.get(`${prefix}hot`)).toBe(String(limit));
    expect(Math.max(...decisions.map((d) => d.count))).toBe(limit);
  });

  it('rejects at once when Redis is unreachable, and reports it unhealthy', async () => {
    const dead = new RedisRateLimitStore({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 50, connectTimeoutMs: 200 });
    open.push(dead);
    const { error, ms } = await rejection(dead.consume(req(3)));
    expect(error).toBeInstanceOf(RateLimitStoreError);
    expect(error.code).toBe('RATELIMIT_STORE_UNAVAILABLE');
    expect(ms).toBeLessThan(60);
    expect((await dead.health()).healthy).toBe(false);
    await expect(dead.connect()).rejects.toThrow();
  });

  it('a paused Redis (CLIENT PAUSE): the call rejects within the timeout, then works again', async () => {
    fresh();
    const s = await store({ commandTimeoutMs: 50 });
    await s.consume(req(10));
    await admin.call('CLIENT', 'PAUSE', '400', 'ALL');
    const { error, ms } = await rejection(s.consume(req(10)));
    expect(error.code).toBe('RATELIMIT_STORE_TIMEOUT');
    expect(ms).toBeGreaterThanOrEqual(45);
    expect(ms).toBeLessThan(150);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = await s.consume(req(10));
    expect(after.allowed).toBe(true);
    // The timed-out command may have run once Redis resumed: 2 or 3.
    expect([2, 3]).toContain(after.count);
  });

  it('recovers by itself when Redis comes back (a proxy stopped then restarted)', async () => {
    fresh();
    const target = new URL(REDIS_URL!);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
    const port = await proxy.start(0);
    try {
      const url = new URL(REDIS_URL!);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      const s = await store({ url: url.toString(), commandTimeoutMs: 200 });
      expect((await s.consume(req(10))).count).toBe(1);
      await proxy.stop();
      const { error, ms } = await rejection(s.consume(req(10)));
      expect(error).toBeInstanceOf(RateLimitStoreError);
      expect(ms).toBeLessThan(250);
      expect((await s.health()).healthy).toBe(false);
      await proxy.start(port);
      const deadline = Date.now() + 5_000;
      let recovered: number | undefined;
      while (recovered === undefined && Date.now() < deadline) {
        recovered = await s.consume(req(10)).then(
          (d) => d.count,
          () => undefined,
        );
        if (recovered === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(recovered).toBe(2);
      expect((await s.health()).healthy).toBe(true);
    } finally {
      await proxy.stop();
    }
  });

  it('createRateLimitStore builds a Redis store from a plain configuration', async () => {
    fresh();
    const s = createRateLimitStore({ type: 'redis', url: REDIS_URL!, prefix, commandTimeoutMs: 100 });
    open.push(s);
    await (s as RedisRateLimitStore).connect();
    expect((await s.consume(req(1))).allowed).toBe(true);
    expect((await s.consume(req(1))).allowed).toBe(false);
    expect(() => createRateLimitStore({ type: 'redis' })).toThrow('exactly one of url, sentinels or cluster');
  });

  it('async mode over Redis: three gateways over-admit at most one interval each, then share the count', async () => {
    fresh();
    const gateways = await Promise.all(
      [1, 2, 3].map(
        async () => new AsyncRateLimitStore(await store({ commandTimeoutMs: 1_000 }), { syncIntervalMs: 60_000 }),
      ),
    );
    const limit = 20;
    const admit = async (g: AsyncRateLimitStore, n: number) => {
      let admitted = 0;
      for (let i = 0; i < n; i++) if ((await g.consume(req(limit, 'async'))).allowed) admitted++;
      return admitted;
    };
    // Gateway 0 admits 8 and synchronises: the shared count is 8.
    expect(await admit(gateways[0]!, 8)).toBe(8);
    await gateways[0]!.sync();
    // 1 and 2 have not synchronised: each admits up to the limit locally (the bound: limit - shared count they knew).
    expect(await admit(gateways[1]!, 30)).toBe(limit);
    expect(await admit(gateways[2]!, 1)).toBe(1);
    await Promise.all(gateways.map((g) => g.sync()));
    expect(Number(await admin.get(`${prefix}async`))).toBe(8 + 20 + 1);
    // The next interval: every gateway reads the shared count (gateway 0 too, though it sent nothing).
    for (const g of gateways) await g.sync();
    for (const g of gateways) expect(await admit(g, 3)).toBe(0);
    await Promise.all(gateways.map((g) => g.close()));
    open.splice(0);
  });
});

/** A TCP proxy that can stop (dropping its connections) and start again on the same port. */
class TcpProxy {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  constructor(
    readonly host: string,
    readonly port: number,
  ) {}

  start(port: number): Promise<number> {
    const server = createServer((client) => {
      const upstream = tcpConnect(this.port, this.host);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    this.#server = server;
    return new Promise((resolve) =>
      server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
    );
  }

  stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    const server = this.#server;
    this.#server = undefined;
    return new Promise((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  }
}
