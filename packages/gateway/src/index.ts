/**
 * The API gateway (data plane): routes requests by host and context path to the deployed APIs, resolves the plan and
 * proxies to the endpoints, kept in sync with the configuration store.
 */
export { ApiRegistry } from './api-registry.js';
export { ApiRuntime, type DeployableApi } from './api-runtime.js';
export { EndpointGroupRuntime, EndpointRuntime } from './endpoint-group.js';
export {
  type EndpointClientConfig,
  effectiveSharedConfiguration,
  resolveEndpointClientConfig,
  type SharedConfiguration,
} from './endpoint-options.js';
export { type GatewayOptions, type RunningGateway, startGateway } from './gateway.js';
export {
  acceptsJson,
  type ExecutionFailure,
  failure,
  type GatewayErrorKey,
  writeFailure,
  writeNoContextPathMatch,
} from './gateway-error.js';
export { type Balanceable, createLoadBalancer, type LoadBalancer, type LoadBalancerKind } from './load-balancer.js';
export * from './observer.js';
export { createPlanResolver, isServingPlan, type PlanResolver, securityTypeOf } from './plan-resolver.js';
export { proxyRequest, upstreamErrorKey } from './proxy.js';
export {
  buildResponseHeaders,
  buildUpstreamHeaders,
  connectionTokens,
  HOP_BY_HOP_HEADERS,
  type UpstreamHeaderContext,
} from './proxy-headers.js';
export {
  createGatewayServer,
  createRequestHandler,
  type RequestHandler,
  type ServerTimeouts,
} from './request-handler.js';
export { normalizeHost, type RouteEntry, Router, type RouteSpec } from './router.js';
export { API_EVENT_TYPES, GatewaySync, type GatewaySyncCounts, type GatewaySyncOptions } from './sync.js';
