/**
 * A deployed API compiled for the request path: validated definition, routes, plan resolver, endpoint pools,
 * response templates, path mappings, failover settings and health checks, all built once per deployment. The
 * runtime counts its in-flight requests so that, once replaced or undeployed, it closes its pools only after the last
 * of them completes. Its health checks start with it and stop as soon as it is retired.
 */
import type { IncomingMessage } from 'node:http';
import {
  type ApiDefinition,
  type Flow,
  type JsonObject,
  type PlanDefinition,
  type PolicyLogger,
  type PolicyRegistry,
  ValidationError,
  validateApiDefinition,
  validatePlanDefinition,
} from '@apim/core';
import { createPolicyRegistry } from '@apim/policies';
import type { Logger } from 'pino';
import { CompiledCors } from './cors.js';
import { EndpointGroupRuntime, type EndpointHealthStatus } from './endpoint-group.js';
import { type FailoverSettings, resolveFailover } from './failover/failover-options.js';
import { type CompiledFlows, compileFlows } from './flows/index.js';
import { PathMappings } from './path-mappings.js';
import { createPlanResolver, type PlanResolver, type PlanSecurityOptions } from './plan-resolver.js';
import { type CompiledResponseTemplates, compileResponseTemplates } from './response-templates.js';
import type { RouteSpec } from './router.js';
import type { ShardingTags } from './sharding-tags.js';

/** What the gateway deploys: an API row's identity and its deployment snapshot (`{ api, plans }`). */
export interface DeployableApi {
  apiId: string;
  environmentId: string;
  deploymentId: string;
  revision: number;
  /** The Deployment record's `definition`: `{ api: ApiDefinition, plans: PlanDefinition[] }`. */
  definition: JsonObject;
}

/** What every deployment of a gateway shares: the policies it knows and the organization's flows. */
export interface ApiRuntimeOptions {
  /** The policies flows may use (default: the built-in ones, `createPolicyRegistry()`). */
  policies?: PolicyRegistry;
  /** Platform (organization) flows, run around every API's flows (default: none). */
  platformFlows?: readonly Flow[];
  /** The subscriptions and API keys plans with subscriptions check (default: none, such plans serve nothing). */
  security?: PlanSecurityOptions;
  /** The gateway's sharding tags: tagged flows run only where they match (default: every flow runs). */
  shardingTags?: ShardingTags;
  /** Services given to the policy factories (`PolicyFactoryContext.services`: the rate-limit counter store...). */
  services?: Readonly<Record<string, unknown>>;
}

let defaultPolicies: PolicyRegistry | undefined;

/** The built-in policies, one registry shared by the deployments that are given none. */
function builtinPolicies(): PolicyRegistry {
  defaultPolicies ??= createPolicyRegistry();
  return defaultPolicies;
}

/** The compiled, immutable form of one deployment of an API. */
export class ApiRuntime {
  readonly id: string;
  readonly environmentId: string;
  readonly deploymentId: string;
  readonly revision: number;
  readonly name: string;
  readonly definition: ApiDefinition;
  readonly plans: readonly PlanDefinition[];
  readonly routes: readonly RouteSpec[];
  /** Which plan serves a request and on whose behalf (or why none does). */
  readonly resolveSecurity: PlanResolver;
  /** The group serving proxy requests (the first endpoint group), undefined when there is none. */
  readonly endpointGroup: EndpointGroupRuntime | undefined;
  /** The `responseTemplates` by error key, undefined when the API has none. */
  readonly responseTemplates: CompiledResponseTemplates | undefined;
  /** The CORS settings of the HTTP listener, when enabled. */
  readonly cors: CompiledCors | undefined;
  /** The path mappings of the HTTP listener, undefined when it has none. */
  readonly pathMappings: PathMappings | undefined;
  /** The API's `failover` when enabled (retries on the next endpoint, circuit breakers). */
  readonly failover: FailoverSettings | undefined;
  /**
   * The compiled platform, plan and API flows; undefined when there are none, so that such APIs pay nothing for the
   * flow engine per request.
   */
  readonly flows: CompiledFlows | undefined;
  /** The logger policies receive (bound to the API). */
  readonly policyLogger: PolicyLogger;

  /**
   * The serving plan of a request when it is known at once, or undefined when it is refused ({@link resolveSecurity}
   * tells why) or needs a token signature checked (JWT plans: use {@link resolveSecurity}).
   */
  resolvePlan(req: IncomingMessage): PlanDefinition | undefined {
    const resolution = this.resolveSecurity(req);
    return resolution instanceof Promise ? undefined : resolution.plan;
  }
  #inFlight = 0;
  #retired = false;
  #closing = false;
  readonly #closed: Promise<void>;
  #resolveClosed!: () => void;

  /**
   * Compiles a deployment. Throws (and opens nothing) when the definition or its flows are invalid: a flow error is a
   * `ValidationError` DEFINITION_INVALID whose details carry JSON pointers (`/flows/0/request/1/configuration/status`).
   */
  constructor(input: DeployableApi, logger: Logger, options: ApiRuntimeOptions = {}) {
    const { api, plans } = validateSnapshot(input, logger);
    this.policyLogger = logger.child({ api: input.apiId });
    this.flows = compileApiFlows(input.apiId, api, plans, options, this.policyLogger);
    this.#closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    this.id = input.apiId;
    this.environmentId = input.environmentId;
    this.deploymentId = input.deploymentId;
    this.revision = input.revision;
    this.name = api.name;
    this.definition = api;
    this.plans = plans;
    this.routes = httpProxyRoutes(api);
    if (this.routes.length === 0 && !hasTcpProxyListener(api))
      throw new Error(`API [${input.apiId}] has no HTTP listener with an http-proxy entrypoint nor a TCP listener`);
    this.resolveSecurity = createPlanResolver(input.apiId, plans, options.security, api.resources);
    const http = api.listeners.find((listener) => listener.type === 'HTTP');
    const cors = http?.type === 'HTTP' ? http.cors : undefined;
    this.cors = cors?.enabled === true ? new CompiledCors(cors) : undefined;
    // The HTTP request path uses the first http-proxy group; TCP proxy APIs are served by the TCP server from their
    // tcp-proxy groups (src/tcp-proxy).
    // An HTTP API without one answers 503 GATEWAY_NO_ENDPOINT_AVAILABLE unless its flows answer (mock).
    const group = api.endpointGroups.find((g) => g.type === 'http-proxy');
    this.failover = resolveFailover(api.failover);
    this.endpointGroup =
      group === undefined ? undefined : new EndpointGroupRuntime(group, logger.child({ api: this.id }), this.failover);
    this.responseTemplates = compileResponseTemplates(api.responseTemplates, (message) =>
      logger.warn({ api: this.id }, message),
    );
    const mappings = http?.pathMappings;
    this.pathMappings = mappings !== undefined && mappings.length > 0 ? new PathMappings(mappings) : undefined;
    this.endpointGroup?.startHealthChecks();
  }

  /**
   * The health of each endpoint (availability, the last health check results, circuit state): a read-only snapshot
   * for the node service and the console.
   */
  healthStatus(): EndpointHealthStatus[] {
    return this.endpointGroup?.healthStatus() ?? [];
  }

  /** Requests currently using this runtime. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Marks a request as using this runtime (its pools stay open until {@link release}). */
  acquire(): void {
    this.#inFlight++;
  }

  /** Marks a request as done; the last one out of a retired runtime closes the pools. */
  release(): void {
    this.#inFlight--;
    if (this.#retired && this.#inFlight === 0) this.#close();
  }

  /** Takes the runtime out of service: resolves once its in-flight requests are done and its pools are closed. */
  retire(): Promise<void> {
    this.#retired = true;
    this.endpointGroup?.stopHealthChecks();
    if (this.#inFlight === 0) this.#close();
    return this.#closed;
  }

  /** Closes the pools now, failing whatever is still running (shutdown deadline). */
  async destroy(): Promise<void> {
    this.#retired = true;
    this.#closing = true;
    await this.endpointGroup?.destroy();
    this.#resolveClosed();
  }

  #close(): void {
    if (this.#closing) return;
    this.#closing = true;
    void (this.endpointGroup?.close() ?? Promise.resolve()).finally(this.#resolveClosed);
  }
}

/** Compiles the flows of a deployment once; undefined when it has none (see {@link ApiRuntime.flows}). */
function compileApiFlows(
  apiId: string,
  api: ApiDefinition,
  plans: readonly PlanDefinition[],
  options: ApiRuntimeOptions,
  logger: PolicyLogger,
): CompiledFlows | undefined {
  const planFlows: Record<string, readonly Flow[]> = {};
  for (const plan of plans) if (plan.id !== undefined && plan.flows !== undefined) planFlows[plan.id] = plan.flows;
  const flows = compileFlows({
    registry: options.policies ?? builtinPolicies(),
    ...(options.platformFlows === undefined ? {} : { platformFlows: options.platformFlows }),
    apiFlows: api.flows ?? [],
    planFlows,
    ...(api.flowExecution === undefined ? {} : { flowExecution: api.flowExecution }),
    ...(options.shardingTags === undefined ? {} : { shardingTags: options.shardingTags }),
    resources: api.resources ?? [],
    ...(options.services === undefined ? {} : { services: options.services }),
    apiId,
    logger,
  });
  return flows.isEmpty ? undefined : flows;
}

/** Whether the API has a TCP listener with a `tcp-proxy` entrypoint (served by the TCP server). */
function hasTcpProxyListener(api: ApiDefinition): boolean {
  return api.listeners.some(
    (listener) => listener.type === 'TCP' && listener.entrypoints.some((entrypoint) => entrypoint.type === 'tcp-proxy'),
  );
}

/** The context paths of the HTTP listeners that have an `http-proxy` entrypoint. */
function httpProxyRoutes(api: ApiDefinition): RouteSpec[] {
  const routes: RouteSpec[] = [];
  for (const listener of api.listeners) {
    if (listener.type !== 'HTTP' || !listener.entrypoints.some((entrypoint) => entrypoint.type === 'http-proxy'))
      continue;
    for (const path of listener.paths ?? []) routes.push({ host: path.host || undefined, path: path.path });
  }
  return routes;
}

/** Validates the snapshot with core's validators (which also apply the schema defaults). Invalid plans are skipped. */
function validateSnapshot(input: DeployableApi, logger: Logger): { api: ApiDefinition; plans: PlanDefinition[] } {
  const snapshot = input.definition as { api?: Record<string, unknown>; plans?: unknown };
  if (typeof snapshot.api !== 'object' || snapshot.api === null) {
    throw new Error(`deployment [${input.deploymentId}] has no API definition`);
  }
  const rawPlans = Array.isArray(snapshot.plans)
    ? snapshot.plans
    : Array.isArray(snapshot.api.plans)
      ? snapshot.api.plans
      : [];
  const { plans: _embedded, ...rawApi } = snapshot.api;
  const api = validateApiDefinition({ ...rawApi, id: rawApi.id ?? input.apiId });
  if (!api.ok)
    throw new ValidationError(`API [${input.apiId}] definition is invalid`, api.errors, 'DEFINITION_INVALID');
  if (api.value.type !== 'PROXY') throw new Error(`API [${input.apiId}]: ${api.value.type} APIs are not supported yet`);
  const plans: PlanDefinition[] = [];
  rawPlans.forEach((raw: unknown, index: number) => {
    const plan = validatePlanDefinition(raw);
    if (plan.ok) plans.push(plan.value);
    else logger.warn({ api: input.apiId, plan: index, errors: plan.errors }, 'invalid plan skipped');
  });
  return { api: api.value, plans };
}
