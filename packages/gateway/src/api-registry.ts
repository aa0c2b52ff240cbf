/**
 * The in-memory state of the gateway: the deployed API runtimes and the router that finds them.
 *
 * Deploying swaps an API's runtime in one synchronous step (new requests see the new runtime at once); the old
 * runtime is retired and closes its pools after its in-flight requests complete.
 */
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { ApiRuntime } from './api-runtime.js';
import { type RouteEntry, Router } from './router.js';

/** Told about each deploy (with the new runtime) and undeploy (with undefined), synchronously, after the swap. */
export type ApiRegistryListener = (apiId: string, runtime: ApiRuntime | undefined) => void;

/** Holds the deployed APIs and routes requests to them. */
export class ApiRegistry {
  readonly #router = new Router<ApiRuntime>();
  readonly #apis = new Map<string, ApiRuntime>();
  /** Replaced or undeployed runtimes, until their pools are closed. */
  readonly #retiring = new Map<ApiRuntime, Promise<void>>();
  readonly #logger: Logger;
  readonly #listeners = new Set<ApiRegistryListener>();

  constructor(logger: Logger = pino({ level: 'silent' })) {
    this.#logger = logger;
  }

  /**
   * Deploys a compiled runtime, replacing the API's current one (if any) atomically.
   *
   * @example registry.deploy(new ApiRuntime(deployable, logger));
   */
  deploy(runtime: ApiRuntime): void {
    const previous = this.#apis.get(runtime.id);
    if (previous !== undefined) this.#router.remove(previous);
    this.#router.add(runtime, runtime.routes);
    this.#apis.set(runtime.id, runtime);
    const shadowing = this.#router.shadowedBy(runtime);
    if (shadowing.length > 0) {
      this.#logger.warn(
        { api: runtime.id, servedBy: shadowing.map((other) => other.id) },
        'context path already served by another API',
      );
    }
    if (previous !== undefined) this.#retire(previous);
    this.#notify(runtime.id, runtime);
  }

  /** Removes an API; returns false when it was not deployed. */
  undeploy(apiId: string): boolean {
    const runtime = this.#apis.get(apiId);
    if (runtime === undefined) return false;
    this.#router.remove(runtime);
    this.#apis.delete(apiId);
    this.#retire(runtime);
    this.#notify(apiId, undefined);
    return true;
  }

  /**
   * Subscribes to deploys and undeploys (e.g. the TCP proxy's route table); returns the unsubscribe function.
   *
   * @example const off = registry.onChange((apiId, runtime) => table.apply(apiId, runtime?.definition));
   */
  onChange(listener: ApiRegistryListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #notify(apiId: string, runtime: ApiRuntime | undefined): void {
    for (const listener of this.#listeners) {
      try {
        listener(apiId, runtime);
      } catch (error) {
        this.#logger.error({ err: error, api: apiId }, 'registry listener failed');
      }
    }
  }

  /** Finds the API and context path serving a request. */
  match(hostHeader: string | undefined, url: string): RouteEntry<ApiRuntime> | undefined {
    return this.#router.match(hostHeader, url);
  }

  get(apiId: string): ApiRuntime | undefined {
    return this.#apis.get(apiId);
  }

  has(apiId: string): boolean {
    return this.#apis.has(apiId);
  }

  /** Ids of the deployed APIs. */
  ids(): string[] {
    return [...this.#apis.keys()];
  }

  get size(): number {
    return this.#apis.size;
  }

  /** Runtimes replaced or undeployed whose in-flight requests have not finished yet. */
  get retiringCount(): number {
    return this.#retiring.size;
  }

  /**
   * Undeploys everything. Waits up to `deadlineMs` for in-flight requests, then destroys the remaining pools.
   */
  async close(deadlineMs = 10_000): Promise<void> {
    const runtimes = [...this.#apis.values()];
    for (const runtime of runtimes) this.undeploy(runtime.id);
    const all = Promise.allSettled([...this.#retiring.values()]);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), deadlineMs);
    });
    const outcome = await Promise.race([all, expired]);
    clearTimeout(timer);
    if (outcome === 'expired') {
      this.#logger.warn({ retiring: this.#retiring.size }, 'in-flight requests still running at shutdown deadline');
      await Promise.allSettled([...this.#retiring.keys()].map((runtime) => runtime.destroy()));
    }
  }

  #retire(runtime: ApiRuntime): void {
    this.#retiring.set(
      runtime,
      runtime.retire().finally(() => this.#retiring.delete(runtime)),
    );
  }
}
