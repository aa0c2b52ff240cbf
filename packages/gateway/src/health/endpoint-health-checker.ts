/**
 * Runs the health check of one endpoint off the request path: an unref'd timer per endpoint fires on the cron
 * schedule, one check at a time (the next run is scheduled when the current one is over). `failureThreshold`
 * consecutive failures take the endpoint out of rotation (`healthy = false`), `successThreshold` consecutive
 * successes put it back. The last {@link HEALTH_HISTORY_SIZE} results are kept in memory.
 */
import { createElContext, evaluateCondition } from '@apim/core';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { HealthCheckConfig } from './health-check-config.js';

/** Results kept per endpoint. */
export const HEALTH_HISTORY_SIZE = 100;

/** Longest body read for the assertion; longer bodies fail the check. */
const MAX_BODY_BYTES = 1024 * 1024;

/** One health check run. */
export interface HealthCheckResult {
  /** Epoch milliseconds of the start of the check. */
  readonly timestamp: number;
  readonly success: boolean;
  /** Response status, 0 when none came. */
  readonly status: number;
  readonly latencyMs: number;
  /** Why the check failed (error or failed assertion). */
  readonly message?: string;
}

/** What the checker needs from an endpoint (implemented by `EndpointRuntime`). */
export interface HealthCheckedEndpoint {
  readonly name: string;
  /**
   * What checks of the endpoint's origin go through, the way its requests go: its undici pool, or its `node:http2`
   * session for HTTP/2 targets (h2c-only upstreams).
   */
  readonly checkDispatcher: Dispatcher;
  readonly origin: string;
  /** A client of the checker's own to another origin (an absolute `target`), closed by the checker. */
  clientFor(origin: string): Dispatcher;
  upstreamPath(rest: string): string;
  /** Set by the checker: false takes the endpoint out of rotation. */
  healthy: boolean;
}

function onTimer(checker: EndpointHealthChecker): void {
  void checker.run();
}

/** The health checker of one endpoint. */
export class EndpointHealthChecker {
  readonly #results: HealthCheckResult[] = [];
  #next = 0;
  #timer: NodeJS.Timeout | undefined;
  #abort: AbortController | undefined;
  #path: string;
  #ownClient: Dispatcher | undefined;
  #successes = 0;
  #failures = 0;
  #stopped = false;

  constructor(
    private readonly endpoint: HealthCheckedEndpoint,
    readonly config: HealthCheckConfig,
    private readonly logger: Logger,
  ) {
    const { target, overrideEndpointPath } = config;
    if (/^https?:\/\//i.test(target)) {
      const url = new URL(target);
      this.#path = `${url.pathname}${url.search}`;
      if (url.origin !== endpoint.origin) {
        this.#ownClient = endpoint.clientFor(url.origin);
      }
    } else if (overrideEndpointPath) this.#path = target.startsWith('/') ? target : `/${target}`;
    else this.#path = endpoint.upstreamPath(target.startsWith('/') || target.startsWith('?') ? target : `/${target}`);
  }

  /** The results kept, oldest first. */
  results(): HealthCheckResult[] {
    const results = this.#results;
    return results.length < HEALTH_HISTORY_SIZE
      ? results.slice()
      : [...results.slice(this.#next), ...results.slice(0, this.#next)];
  }

  /** Schedules the first run. */
  start(): void {
    this.#schedule();
  }

  /** Stops the schedule and aborts a check in flight. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#abort?.abort();
    void this.#ownClient?.destroy().catch(() => undefined);
  }

  /** @internal Runs one check, records it, moves the endpoint in or out of rotation, schedules the next. */
  async run(): Promise<void> {
    if (this.#stopped) return;
    const result = await this.#check();
    if (this.#stopped) return;
    this.#record(result);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    const now = Date.now();
    this.#timer = setTimeout(onTimer, this.config.schedule.next(now) - now, this).unref();
  }

  #record(result: HealthCheckResult): void {
    if (this.#results.length < HEALTH_HISTORY_SIZE) this.#results.push(result);
    else this.#results[this.#next] = result;
    this.#next = (this.#next + 1) % HEALTH_HISTORY_SIZE;
    const { endpoint, config } = this;
    if (result.success) {
      this.#failures = 0;
      this.#successes++;
      if (!endpoint.healthy && this.#successes >= config.successThreshold) {
        endpoint.healthy = true;
        this.logger.info({ endpoint: endpoint.name }, 'endpoint back in rotation (health check)');
      }
    } else {
      this.#successes = 0;
      this.#failures++;
      if (endpoint.healthy && this.#failures >= config.failureThreshold) {
        endpoint.healthy = false;
        this.logger.warn(
          { endpoint: endpoint.name, reason: result.message },
          'endpoint out of rotation (health check)',
        );
      }
    }
  }

  async #check(): Promise<HealthCheckResult> {
    const timestamp = Date.now();
    const started = performance.now();
    const abort = new AbortController();
    this.#abort = abort;
    let status = 0;
    try {
      // The endpoint's own client is created by its first check or request, not at deploy time.
      const dispatcher = this.#ownClient ?? this.endpoint.checkDispatcher;
      const response = await dispatcher.request({
        path: this.#path,
        method: this.config.method as Dispatcher.HttpMethod,
        headers: this.config.headers as string[],
        signal: abort.signal,
      });
      status = response.statusCode;
      const content = await readText(response.body);
      const context = createElContext({
        response: { status, headers: response.headers as Record<string, string | string[]>, content },
      });
      const success = evaluateCondition(this.config.assertion, context);
      const latencyMs = performance.now() - started;
      return success
        ? { timestamp, success, status, latencyMs }
        : { timestamp, success, status, latencyMs, message: `assertion ${this.config.assertion.source} is false` };
    } catch (error) {
      const message = (error as Error).message || String(error);
      return { timestamp, success: false, status, latencyMs: performance.now() - started, message };
    } finally {
      this.#abort = undefined;
    }
  }
}

async function readText(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      body.destroy();
      throw new Error(`health check response larger than ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
