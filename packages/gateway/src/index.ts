/**
 * The API gateway (data plane): routes requests by host and context path to the deployed APIs, resolves the plan and
 * proxies to the endpoints, kept in sync with the configuration store.
 */
export { ApiRegistry, type ApiRegistryListener } from './api-registry.js';
export { ApiRuntime, type ApiRuntimeOptions, type DeployableApi } from './api-runtime.js';
export * from './cluster/index.js';
export { EndpointGroupRuntime, EndpointRuntime } from './endpoint-group.js';
export {
  type EndpointClientConfig,
  effectiveSharedConfiguration,
  resolveEndpointClientConfig,
  type SharedConfiguration,
} from './endpoint-options.js';
export { EnvironmentScope } from './environment-scope.js';
export { BodyTooLargeError, ClientClosedError, Exchange, type ExchangeContext } from './exchange.js';
export { GatewayExecutionContext } from './execution/gateway-execution-context.js';
export * from './flows/index.js';
export {
  type GatewayListeners,
  type GatewayOptions,
  listenGateway,
  type RunningGateway,
  startGateway,
} from './gateway.js';
export {
  acceptsJson,
  type ExecutionFailure,
  type FailureResponseOptions,
  failure,
  type GatewayErrorKey,
  upstreamErrorKey,
  writeFailure,
  writeNoContextPathMatch,
} from './gateway-error.js';
export { type Balanceable, createLoadBalancer, type LoadBalancer, type LoadBalancerKind } from './load-balancer.js';
export {
  KeptLocalEntry,
  type LocalApiEntry,
  type LocalState,
  LocalStateWriter,
  type LocalStateWriterOptions,
  readLocalState,
  writeLocalState,
} from './local-state.js';
export * from './node/index.js';
export * from './observer.js';
export { compilePathMapping, PathMappings } from './path-mappings.js';
export { createPlanResolver, isServingPlan, type PlanResolver, securityTypeOf } from './plan-resolver.js';
export { limitedBody, proxyRequest } from './proxy.js';
export {
  applyOverrideMode,
  buildResponseHeaders,
  buildUpstreamHeaders,
  connectionTokens,
  HOP_BY_HOP_HEADERS,
  isValidTraceparent,
  newTraceparent,
  type ProxyHeaderSettings,
  type RequestIds,
  type UpstreamHeaderContext,
  type UpstreamResponseHeaders,
} from './proxy-headers.js';
export { createRequestHandler, markOverloaded, type RequestHandler } from './request-handler.js';
export {
  acceptedMediaTypes,
  type CompiledResponseTemplate,
  type CompiledResponseTemplates,
  compileResponseTemplates,
  renderTemplateBody,
  selectResponseTemplate,
  templateContentType,
} from './response-templates.js';
export { normalizeHost, type RouteEntry, Router, type RouteSpec } from './router.js';
export {
  clientErrorKey,
  createGatewayListener,
  createGatewayServer,
  type GatewayListener,
  type GatewayServer,
} from './server.js';
export {
  type GatewayServerOptions,
  type HeaderOverrideMode,
  type IdHeader,
  type IdHeaderOptions,
  type ListenerOptions,
  type ProxyHeaderOptions,
  resolveServerSettings,
  type ServerLimits,
  type ServerSettings,
  type ServerTimeouts,
} from './server-options.js';
export { apiTagsOf, filterPlansByTags, parseShardingTags, type ShardingTags, tagsOf } from './sharding-tags.js';
export {
  API_EVENT_TYPES,
  type DeploymentTarget,
  GatewaySync,
  type GatewaySyncCounts,
  type GatewaySyncOptions,
  type GatewaySyncSettings,
  RegistryDeploymentTarget,
} from './sync.js';
export { ConnectionTracker } from './tcp/connection-tracker.js';
export { serveH2cPriorKnowledge } from './tcp/h2c-sniffer.js';
export { TCP_CONNECT_TIMEOUT_DEFAULT, TcpEndpoint } from './tcp-proxy/tcp-endpoint.js';
export {
  createTcpProxyServer,
  TCP_PROXY_DEFAULT_PORT,
  type TcpProxyOptions,
  type TcpProxyServer,
} from './tcp-proxy/tcp-proxy-server.js';
export { TcpApiRoute, TcpRouteTable, tcpHostsOf } from './tcp-proxy/tcp-route-table.js';
export { openTunnel, type TunnelOutcome } from './tcp-proxy/tcp-tunnel.js';
export { CertificateStore } from './tls/certificate-store.js';
export {
  type ClientAuth,
  loadTls,
  type TlsCertificateOptions,
  type TlsListenerOptions,
} from './tls/tls-options.js';
export { createUpgradeHandler, isWebSocketUpgrade, type UpgradeHandler } from './websocket/upgrade-relay.js';
