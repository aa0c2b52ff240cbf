/**
 * The compiled endpoints of an API: one undici Pool per `http-proxy` endpoint, built once at deploy time, and the
 * group's load balancers (primary endpoints, then secondary ones when no primary is available).
 */
import type { EndpointGroup } from '@apim/core';
import type { Logger } from 'pino';
import { Pool } from 'undici';
import { resolveEndpointClientConfig } from './endpoint-options.js';
import { type Balanceable, createLoadBalancer, type LoadBalancer } from './load-balancer.js';
import type { UpstreamHeaderContext } from './proxy-headers.js';

/** One upstream of a deployed API with its connection pool. */
export class EndpointRuntime implements Balanceable {
  readonly name: string;
  readonly weight: number;
  readonly secondary: boolean;
  /** Flipped by health checks (a later slice); a balancer skips unavailable endpoints. */
  available = true;
  readonly pool: Pool;
  readonly origin: string;
  readonly basePath: string;
  readonly baseQuery: string;
  /** False: each upstream request closes its connection. */
  readonly keepAlive: boolean;
  readonly headerContext: UpstreamHeaderContext;
  /** Settings of the definition this gateway ignores for now. */
  readonly unsupported: string[];

  constructor(group: EndpointGroup, index: number) {
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
    this.pool = new Pool(config.origin, config.poolOptions);
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

function joinPath(base: string, rest: string): string {
  if (rest.length === 0) return base;
  const baseSlash = base.charCodeAt(base.length - 1) === 47; /* / */
  const restSlash = rest.charCodeAt(0) === 47;
  if (baseSlash && restSlash) return base + rest.slice(1);
  if (!baseSlash && !restSlash && rest.charCodeAt(0) !== 63 /* ? */) return `${base}/${rest}`;
  return base + rest;
}

/** The compiled endpoint group that serves an API's requests. */
export class EndpointGroupRuntime {
  readonly name: string;
  readonly endpoints: readonly EndpointRuntime[];
  readonly #primary: LoadBalancer<EndpointRuntime>;
  readonly #secondary: LoadBalancer<EndpointRuntime>;

  constructor(group: EndpointGroup, logger: Logger) {
    this.name = group.name;
    const endpoints: EndpointRuntime[] = [];
    group.endpoints.forEach((endpoint, index) => {
      if (endpoint.type !== 'http-proxy') {
        logger.warn({ group: group.name, endpoint: endpoint.name, type: endpoint.type }, 'endpoint type not supported');
        return;
      }
      try {
        const runtime = new EndpointRuntime(group, index);
        if (runtime.unsupported.length > 0) {
          logger.warn({ endpoint: endpoint.name, settings: runtime.unsupported }, 'endpoint settings not applied');
        }
        endpoints.push(runtime);
      } catch (error) {
        logger.warn({ endpoint: endpoint.name, err: error }, 'endpoint skipped');
      }
    });
    this.endpoints = endpoints;
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

  /** Closes every pool gracefully: requests already dispatched complete first. */
  async close(): Promise<void> {
    await Promise.allSettled(this.endpoints.map((endpoint) => endpoint.pool.close()));
  }

  /** Closes every pool now, failing requests still running. */
  async destroy(): Promise<void> {
    await Promise.allSettled(this.endpoints.map((endpoint) => endpoint.pool.destroy()));
  }
}
