/**
 * Health probes of the node service (Gravitee's `http-server`, `sync-process`, `management-repository`,
 * `ratelimit-repository`, `memory`): small async checks run on demand, each bounded by a timeout so that the health
 * endpoint always answers.
 */
import { getHeapStatistics } from 'node:v8';
import type { ConfigStore } from '@apim/core';
import type { GatewaySync } from '../sync.js';

/** The outcome of one probe. */
export interface ProbeResult {
  healthy: boolean;
  message?: string;
}

/** One health check. Ids are kebab-case and unique; registering an id again replaces the probe. */
export interface Probe {
  readonly id: string;
  check(): Promise<ProbeResult>;
}

/** The probes of a node, run together or by id. */
export class ProbeRegistry {
  readonly #probes = new Map<string, Probe>();
  readonly #timeoutMs: number;

  /** @param timeoutMs how long a probe may take before it counts as unhealthy (default 5 s). */
  constructor(probes: readonly Probe[] = [], timeoutMs = 5_000) {
    this.#timeoutMs = timeoutMs;
    for (const probe of probes) this.register(probe);
  }

  /** Adds a probe, or replaces the one with the same id (a Redis rate-limit probe replacing the default one). */
  register(probe: Probe): void {
    this.#probes.set(probe.id, probe);
  }

  ids(): string[] {
    return [...this.#probes.keys()];
  }

  /**
   * Runs the probes (all, or those named in `ids`; unknown ids are ignored) in parallel. A probe that throws or
   * times out is unhealthy, with the error as its message.
   *
   * @example const results = await probes.run(['sync-process']); // { 'sync-process': { healthy: true, ... } }
   */
  async run(ids?: readonly string[]): Promise<Record<string, ProbeResult>> {
    const selected = ids === undefined ? [...this.#probes.values()] : ids.flatMap((id) => this.#probes.get(id) ?? []);
    const results = await Promise.all(selected.map((probe) => this.#check(probe)));
    const out: Record<string, ProbeResult> = {};
    selected.forEach((probe, i) => {
      out[probe.id] = results[i]!;
    });
    return out;
  }

  async #check(probe: Probe): Promise<ProbeResult> {
    try {
      return await withTimeout(probe.check(), this.#timeoutMs, `probe timed out after ${this.#timeoutMs} ms`);
    } catch (error) {
      return { healthy: false, message: messageOf(error) };
    }
  }
}

/** `http-server`: the gateway's HTTP server is listening. */
export function httpServerProbe(server: { readonly listening: boolean }): Probe {
  return {
    id: 'http-server',
    check: async () => (server.listening ? { healthy: true } : { healthy: false, message: 'not listening' }),
  };
}

/**
 * `sync-process`: the first full load has succeeded and the last successful sync is at most `maxAgeMs` old (the
 * gateway keeps serving its last state while the store is down, but that state grows stale).
 */
export function syncProcessProbe(sync: GatewaySync, maxAgeMs: number): Probe {
  return {
    id: 'sync-process',
    async check() {
      const { failures } = sync.counts;
      const last = sync.lastSyncAt;
      if (!sync.firstSyncDone || last === undefined) {
        return { healthy: false, message: `first synchronization not done yet (${failures} failed attempts)` };
      }
      const ageMs = Date.now() - last.getTime();
      const age = `last successful synchronization ${(ageMs / 1000).toFixed(1)} s ago`;
      if (ageMs > maxAgeMs) return { healthy: false, message: `${age} (${failures} failed cycles in total)` };
      return { healthy: true, message: age };
    },
  };
}

/** Options of {@link managementRepositoryProbe}. */
export interface StoreProbeOptions {
  /** How long a ping may take (default 2 s). */
  timeoutMs?: number;
  /** How long a result is reused (default 1 s), so that health polling cannot hammer the database. */
  cacheMs?: number;
}

/** `management-repository`: the configuration store answers a ping. */
export function managementRepositoryProbe(store: Pick<ConfigStore, 'ping' | 'kind'>, options: StoreProbeOptions = {}) {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const probe: Probe = {
    id: 'management-repository',
    async check() {
      try {
        await withTimeout(store.ping(), timeoutMs, `no answer within ${timeoutMs} ms`);
        return { healthy: true, message: `${store.kind} reachable` };
      } catch (error) {
        return { healthy: false, message: `${store.kind} unreachable: ${messageOf(error)}` };
      }
    },
  };
  return cachedProbe(probe, options.cacheMs ?? 1_000);
}

/** What the `ratelimit-repository` probe asks: the counter store of the rate-limit policies. */
export interface RateLimitHealthSource {
  health(): Promise<{ healthy: boolean; message?: string }>;
}

/**
 * `ratelimit-repository`: the counter store of the rate-limit, quota and spike-arrest policies (always healthy in
 * memory; Redis answers a PING within its command timeout). Bounded by `timeoutMs` like every probe.
 */
export function ratelimitRepositoryProbe(store?: RateLimitHealthSource, timeoutMs = 2_000): Probe {
  if (store === undefined) return { id: 'ratelimit-repository', check: async () => ({ healthy: true }) };
  return {
    id: 'ratelimit-repository',
    check: async () => {
      try {
        return await withTimeout(store.health(), timeoutMs, `no answer within ${timeoutMs} ms`);
      } catch (error) {
        return { healthy: false, message: messageOf(error) };
      }
    },
  };
}

/** Heap figures, as `v8.getHeapStatistics()` reports them. */
export type HeapStatistics = () => { used_heap_size: number; heap_size_limit: number };

/** `memory`: the V8 heap in use stays under `threshold` (a ratio, default 0.9) of the heap limit. */
export function memoryProbe(threshold = 0.9, heap: HeapStatistics = getHeapStatistics): Probe {
  return {
    id: 'memory',
    async check() {
      const { used_heap_size: used, heap_size_limit: limit } = heap();
      const ratio = used / limit;
      const message = `heap ${mib(used)} MiB used of ${mib(limit)} MiB (${Math.round(ratio * 100)}%, threshold ${Math.round(threshold * 100)}%)`;
      return { healthy: ratio < threshold, message };
    },
  };
}

/** Reuses a probe's result for `ttlMs` after it settles; concurrent checks share the running one. */
export function cachedProbe(probe: Probe, ttlMs: number): Probe {
  let running: Promise<ProbeResult> | undefined;
  let last: { at: number; result: ProbeResult } | undefined;
  return {
    id: probe.id,
    check() {
      if (running !== undefined) return running;
      if (last !== undefined && Date.now() - last.at < ttlMs) return Promise.resolve(last.result);
      running = probe
        .check()
        .catch((error: unknown): ProbeResult => ({ healthy: false, message: messageOf(error) }))
        .then((result) => {
          last = { at: Date.now(), result };
          running = undefined;
          return result;
        });
      return running;
    },
  };
}

const mib = (bytes: number) => Math.round(bytes / 1024 / 1024);

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Rejects with `message` when `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
