/**
 * The compiled endpoints of an API: one undici Pool per `http-proxy` endpoint, its options resolved once at deploy
 * time and the pool itself created on the endpoint's first request (a pool weighs ~18 KiB, so a gateway with 10,000
 * APIs of which few are called keeps only the pools it uses), and the group's load balancers (primary endpoints, then secondary ones when no primary is available). An endpoint is
 * available while its health check (if any) says it is up and its circuit breaker (with failover) lets requests in.
 */
import type { Endpoint, EndpointGroup } from '@apim/core';
import type { Logger } from 'pino';
import { type Dispatcher, interceptors, Pool } from 'undici';
import { resolveEndpointClientConfig } from './endpoint-options.js';
import { CircuitBreaker, type CircuitState } from './failover/circuit-breaker.js';
import type { FailoverSettings } from './failover/failover-options.js';
import { H2cDispatcher, type H2cDispatcherOptions } from './grpc/h2c-dispatcher.js';
import { EndpointHealthChecker, type HealthCheckResult } from './health/endpoint-health-checker.js';
import { resolveHealthCheck } from './health/health-check-config.js';
import { type Balanceable, createLoadBalancer, type LoadBalancer } from './load-balancer.js';
import type { UpstreamHeaderContext } from './proxy-headers.js';

/** One upstream of a deployed API with its connection pool. */
export class EndpointRuntime implements Balanceable {
  readonly name: string;
  readonly weight: number;
  readonly secondary: boolean;
  /** Set by the health check: false while the endpoint is out of rotation. */
  healthy = true;
  /** The endpoint's circuit breaker when the API enables failover. */
  readonly circuit: CircuitBreaker | undefined;
  readonly poolOptions: Pool.Options;
  readonly origin: string;
  readonly basePath: string;
  readonly baseQuery: string;
  /** False: each upstream request closes its connection. */
  readonly keepAlive: boolean;
  readonly headerContext: UpstreamHeaderContext;
  /** Settings of the definition this gateway ignores for now. */
  readonly unsupported: string[];
  readonly #maxRedirections: number;
  /** Set for HTTP/2 targets (gRPC, `HTTP_2`): requests go through a `node:http2` session instead of the pool. */
  readonly #h2c: H2cDispatcher | undefined;
  readonly #h2cOptions: H2cDispatcherOptions | undefined;
  #pool: Pool | undefined;
  #dispatcher: Dispatcher | undefined;
  /** Set by {@link close} / {@link destroy}: a pool created afterwards is closed at once, as the old one would be. */
  #ended: 'closed' | 'destroyed' | undefined;

  constructor(group: EndpointGroup, index: number, failover?: FailoverSettings) {
    const endpoint = group.endpoints[index]!;
    const config = resolveEndpointClientConfig(group, endpoint);
    this.name = endpoint.name;
    this.weight = endpoint.weight ?? 1;
    this.secondary = endpoint.secondary === true;
    this.origin = config.origin;
    this.basePath = config.basePath;
    this.baseQuery = config.baseQuery;
    this.keepAlive = config.keepAlive;
    this.headerContext = {
      hostHeader: config.hostHeader,
      propagateClientHost: config.propagateClientHost,
      forwardAcceptEncoding: config.forwardAcceptEncoding,
      configured: config.headers,
      configuredNames: new Set(config.headers.map(([name]) => name)),
    };
    this.unsupported = config.unsupported;
    this.poolOptions = config.poolOptions;
    this.#maxRedirections = config.maxRedirections;
    const read = config.poolOptions.headersTimeout;
    const connectTimeout = (config.poolOptions.connect as { timeout?: number }).timeout;
    if (config.h2c) {
      // `https://` + `HTTP_2`: an endpoint answering ALPN with HTTP/1.1 is called through the pool.
      const http1 = config.http1Fallback ? () => this.pool : undefined;
      this.#h2cOptions = { connectTimeout, readTimeout: read, tls: config.tls, http1 };
      this.#h2c = new H2cDispatcher(this.origin, this.#h2cOptions);
    }
    this.circuit = failover === undefined ? undefined : new CircuitBreaker(failover);
  }

  /**
   * The endpoint's connection pool, created on first use with {@link poolOptions}. Once the endpoint is closed (its
   * runtime retired), a pool created late is closed at once, so a dispatch on it fails as it would on a closed pool.
   */
  get pool(): Pool {
    if (this.#pool === undefined) {
      const pool = new Pool(this.origin, this.poolOptions);
      this.#pool = pool;
      if (this.#ended === 'closed') void pool.close().catch(noop);
      else if (this.#ended === 'destroyed') void pool.destroy().catch(noop);
    }
    return this.#pool;
  }

  /**
   * What requests go through: the pool, or the `node:http2` dispatcher for HTTP/2 targets, composed with the redirect
   * interceptor when `followRedirects`.
   */
  get dispatcher(): Dispatcher {
    if (this.#dispatcher === undefined) {
      const base = this.#h2c ?? this.pool;
      this.#dispatcher =
        this.#maxRedirections > 0
          ? base.compose(interceptors.redirect({ maxRedirections: this.#maxRedirections }))
          : base;
    }
    return this.#dispatcher;
  }

  /** What health checks go through: the endpoint's connections as requests use them, redirects not followed. */
  get checkDispatcher(): Dispatcher {
    return this.#h2c ?? this.pool;
  }

  /**
   * A client of its own to another origin (a health check to an absolute URL) with the endpoint's settings: a
   * one-connection pool, or an HTTP/2 session for HTTP/2 targets. The caller closes it.
   */
  clientFor(origin: string): Dispatcher {
    const pool = () => new Pool(origin, { ...this.poolOptions, connections: 1 });
    const h2c = this.#h2cOptions;
    if (h2c === undefined) return pool();
    if (h2c.http1 === undefined) return new H2cDispatcher(origin, h2c); // gRPC, h2c: HTTP/2 only
    // `https://` + `HTTP_2`: HTTP/2 where ALPN can offer it, as undici would.
    return origin.startsWith('https:') ? new H2cDispatcher(origin, { ...h2c, http1: pool }) : pool();
  }

  /** Whether the pool exists (it is created by the first request, or by a health check). */
  get poolCreated(): boolean {
    return this.#pool !== undefined;
  }

  /** Closes the pool gracefully (requests already dispatched complete first); nothing to do when it was never used. */
  async close(): Promise<void> {
    this.#ended ??= 'closed';
    await this.#h2c?.close();
    await this.#pool?.close();
  }

  /** Closes the pool now, failing requests still running. */
  async destroy(): Promise<void> {
    this.#ended = 'destroyed';
    await this.#h2c?.destroy();
    await this.#pool?.destroy();
  }

  /** Whether a balancer may pick the endpoint: healthy, and its circuit (if any) lets a request in. */
  get available(): boolean {
    return this.healthy && (this.circuit === undefined || this.circuit.permits());
  }

  /**
   * The upstream request target: the target's path joined with the request path after the context path (`rest`
   * starts with `/`, `?` or is empty), the raw query string kept as received.
   *
   * @example target `http://up/echo`, request `/proxy-api/a?x=1` on `/proxy-api` -> `/echo/a?x=1`
   */
  upstreamPath(rest: string): string {
    if (this.baseQuery !== '') return this.#withBaseQuery(rest);
    return joinPath(this.basePath, rest);
  }

  #withBaseQuery(rest: string): string {
    const mark = rest.indexOf('?');
    const path = joinPath(this.basePath, mark === -1 ? rest : rest.slice(0, mark));
    return mark === -1 || mark === rest.length - 1
      ? `${path}?${this.baseQuery}`
      : `${path}?${this.baseQuery}&${rest.slice(mark + 1)}`;
  }
}

const noop = () => undefined;

function joinPath(base: string, rest: string): string {
  if (rest.length === 0) return base;
  const baseSlash = base.charCodeAt(base.length - 1) === 47; /* / */
  const restSlash = rest.charCodeAt(0) === 47;
  if (baseSlash && restSlash) return base + rest.slice(1);
  if (!baseSlash && !restSlash && rest.charCodeAt(0) !== 63 /* ? */) return `${base}/${rest}`;
  return base + rest;
}

/** The health of one endpoint, as {@link EndpointGroupRuntime.healthStatus} reports it. */
export interface EndpointHealthStatus {
  readonly name: string;
  readonly secondary: boolean;
  /** Picked by the balancers now. */
  readonly available: boolean;
  /** Up according to its health check (always true without one). */
  readonly healthy: boolean;
  readonly healthCheck: boolean;
  /** The circuit breaker, when the API enables failover. */
  readonly circuit?: { readonly state: CircuitState; readonly failures: number };
  /** The last health check results, oldest first. */
  readonly results: readonly HealthCheckResult[];
}

/** The compiled endpoint group that serves an API's requests. */
export class EndpointGroupRuntime {
  readonly name: string;
  readonly endpoints: readonly EndpointRuntime[];
  readonly #primary: LoadBalancer<EndpointRuntime>;
  readonly #secondary: LoadBalancer<EndpointRuntime>;
  readonly #checkers = new Map<EndpointRuntime, EndpointHealthChecker>();

  /** Throws when a health check is invalid (schedule or assertion). */
  constructor(group: EndpointGroup, logger: Logger, failover?: FailoverSettings) {
    this.name = group.name;
    const endpoints: EndpointRuntime[] = [];
    const definitions: Endpoint[] = [];
    group.endpoints.forEach((endpoint, index) => {
      if (endpoint.type !== 'http-proxy') {
        logger.warn({ group: group.name, endpoint: endpoint.name, type: endpoint.type }, 'endpoint type not supported');
        return;
      }
      try {
        const runtime = new EndpointRuntime(group, index, failover);
        if (runtime.unsupported.length > 0) {
          logger.warn({ endpoint: endpoint.name, settings: runtime.unsupported }, 'endpoint settings not applied');
        }
        endpoints.push(runtime);
        definitions.push(endpoint);
      } catch (error) {
        logger.warn({ endpoint: endpoint.name, err: error }, 'endpoint skipped');
      }
    });
    this.endpoints = endpoints;
    endpoints.forEach((runtime, i) => {
      const config = resolveHealthCheck(group, definitions[i]!);
      if (config !== undefined) this.#checkers.set(runtime, new EndpointHealthChecker(runtime, config, logger));
    });
    const kind = group.loadBalancer?.type;
    this.#primary = createLoadBalancer(
      kind,
      endpoints.filter((e) => !e.secondary),
    );
    this.#secondary = createLoadBalancer(
      kind,
      endpoints.filter((e) => e.secondary),
    );
  }

  /** The endpoint for the next request, or undefined when none is available (503 GATEWAY_NO_ENDPOINT_AVAILABLE). */
  select(): EndpointRuntime | undefined {
    return this.#primary.next() ?? this.#secondary.next();
  }

  /**
   * Another endpoint after `failed` failed (failover): the balancers' next pick, a different endpoint when another
   * one is available.
   */
  selectOther(failed: EndpointRuntime): EndpointRuntime | undefined {
    let picked = this.select();
    for (let tries = 1; picked === failed && tries < this.endpoints.length; tries++) picked = this.select();
    return picked;
  }

  /** Starts the health checks (timers off the request path). */
  startHealthChecks(): void {
    for (const checker of this.#checkers.values()) checker.start();
  }

  /** Stops the health checks and aborts those in flight. */
  stopHealthChecks(): void {
    for (const checker of this.#checkers.values()) checker.stop();
  }

  /** The health of every endpoint: availability, health check results, circuit state. */
  healthStatus(): EndpointHealthStatus[] {
    return this.endpoints.map((endpoint) => {
      const checker = this.#checkers.get(endpoint);
      const { circuit } = endpoint;
      return {
        name: endpoint.name,
        secondary: endpoint.secondary,
        available: endpoint.available,
        healthy: endpoint.healthy,
        healthCheck: checker !== undefined,
        ...(circuit === undefined ? {} : { circuit: { state: circuit.state, failures: circuit.failures } }),
        results: checker?.results() ?? [],
      };
    });
  }

  /** Closes every pool gracefully: requests already dispatched complete first. */
  async close(): Promise<void> {
    this.stopHealthChecks();
    await Promise.allSettled(this.endpoints.map((endpoint) => endpoint.close()));
  }

  /** Closes every pool now, failing requests still running. */
  async destroy(): Promise<void> {
    this.stopHealthChecks();
    await Promise.allSettled(this.endpoints.map((endpoint) => endpoint.destroy()));
  }
}
