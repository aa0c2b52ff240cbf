/**
 * The routing table of the TCP proxy server: the SNI host names of the deployed APIs' TCP listeners (the ones with a
 * `tcp-proxy` entrypoint), each with the API's `tcp-proxy` endpoint group behind a load balancer. Kept in step with
 * the registry's deploys and undeploys; a change applies to new connections, open ones keep their upstream.
 */
import type { ApiDefinition } from '@apim/core';
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { ApiRegistry } from '../api-registry.js';
import { createLoadBalancer, type LoadBalancer } from '../load-balancer.js';
import { TcpEndpoint } from './tcp-endpoint.js';

/** One deployed TCP proxy API. */
export class TcpApiRoute {
  readonly hosts: readonly string[];
  readonly endpoints: readonly TcpEndpoint[];
  readonly #primary: LoadBalancer<TcpEndpoint>;
  readonly #secondary: LoadBalancer<TcpEndpoint>;

  /** Throws when the API has TCP hosts but no usable tcp-proxy endpoint group. */
  constructor(
    readonly apiId: string,
    definition: ApiDefinition,
  ) {
    this.hosts = tcpHostsOf(definition);
    const group = definition.endpointGroups.find((candidate) => candidate.type === 'tcp-proxy');
    if (group === undefined) throw new Error(`API [${apiId}] has a TCP listener but no tcp-proxy endpoint group`);
    this.endpoints = group.endpoints
      .filter((endpoint) => endpoint.type === 'tcp-proxy')
      .map((endpoint) => new TcpEndpoint(group, endpoint));
    const kind = group.loadBalancer?.type;
    this.#primary = createLoadBalancer(
      kind,
      this.endpoints.filter((endpoint) => !endpoint.secondary),
    );
    this.#secondary = createLoadBalancer(
      kind,
      this.endpoints.filter((endpoint) => endpoint.secondary),
    );
  }

  /** The next endpoint: a primary one, else a secondary one; undefined when the group has none. */
  next(): TcpEndpoint | undefined {
    return this.#primary.next() ?? this.#secondary.next();
  }
}

/** The lowercased hosts of the TCP listeners that have a `tcp-proxy` entrypoint. */
export function tcpHostsOf(definition: ApiDefinition): string[] {
  const hosts = new Set<string>();
  for (const listener of definition.listeners) {
    if (listener.type !== 'TCP' || !listener.entrypoints.some((entrypoint) => entrypoint.type === 'tcp-proxy'))
      continue;
    for (const host of listener.hosts ?? []) if (host.trim() !== '') hosts.add(host.trim().toLowerCase());
  }
  return [...hosts];
}

/**
 * SNI host -> TCP proxy API. A host claimed by two APIs stays with the first one deployed (a warning is logged), as
 * the HTTP router keeps a context path with the first API.
 *
 * @example
 * const table = new TcpRouteTable(logger);
 * table.follow(registry); // deploys and undeploys update the table
 * table.match('db.example.com')?.next();
 */
export class TcpRouteTable {
  readonly #byApi = new Map<string, TcpApiRoute>();
  /** Host -> the routes that claim it, first deployed first. */
  readonly #byHost = new Map<string, TcpApiRoute[]>();
  readonly #logger: Logger;

  constructor(logger: Logger = pino({ level: 'silent' })) {
    this.#logger = logger;
  }

  /**
   * Applies an API's deployed definition: routes its TCP hosts, or removes it when the definition is undefined or
   * has no TCP listener. An unusable TCP definition is logged and leaves the API unrouted.
   */
  apply(apiId: string, definition: ApiDefinition | undefined): void {
    this.#remove(apiId);
    if (definition === undefined || tcpHostsOf(definition).length === 0) return;
    let route: TcpApiRoute;
    try {
      route = new TcpApiRoute(apiId, definition);
    } catch (error) {
      this.#logger.error({ api: apiId, err: error }, 'TCP proxy API not routed');
      return;
    }
    this.#byApi.set(apiId, route);
    for (const host of route.hosts) {
      const routes = this.#byHost.get(host) ?? [];
      if (routes.length > 0) this.#logger.warn({ api: apiId, host, servedBy: routes[0]!.apiId }, 'TCP host taken');
      routes.push(route);
      this.#byHost.set(host, routes);
    }
  }

  /** The API serving a TLS server name (exact, case-insensitive), if any. */
  match(serverName: string | false | null | undefined): TcpApiRoute | undefined {
    if (typeof serverName !== 'string' || serverName === '') return undefined;
    return this.#byHost.get(serverName.toLowerCase())?.[0];
  }

  /** Routes the APIs deployed in the registry now and follows its changes; returns the unsubscribe function. */
  follow(registry: ApiRegistry): () => void {
    for (const id of registry.ids()) this.apply(id, registry.get(id)?.definition);
    return registry.onChange((apiId, runtime) => this.apply(apiId, runtime?.definition));
  }

  /** Ids of the routed TCP APIs. */
  ids(): string[] {
    return [...this.#byApi.keys()];
  }

  #remove(apiId: string): void {
    const route = this.#byApi.get(apiId);
    if (route === undefined) return;
    this.#byApi.delete(apiId);
    for (const host of route.hosts) {
      const routes = this.#byHost.get(host)?.filter((other) => other !== route) ?? [];
      if (routes.length > 0) this.#byHost.set(host, routes);
      else this.#byHost.delete(host);
    }
  }
}
