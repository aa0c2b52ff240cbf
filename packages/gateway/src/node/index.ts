/**
 * The gateway's node service: node info, health probes, Prometheus metrics and deployed APIs on a separate,
 * authenticated port (18082 by default).
 */
export {
  type DeployedApiDetail,
  type DeployedApiSummary,
  describeApi,
  type NodeApiCatalog,
  registryApiCatalog,
  summarizeApi,
} from './api-views.js';
export {
  BASIC_CHALLENGE,
  createNodeAuthenticator,
  type NodeAuthentication,
  type NodeAuthenticator,
} from './basic-auth.js';
export { NodeMetrics, type NodeMetricsOptions } from './metrics.js';
export {
  type NodeInfoOptions,
  type NodeServiceOptions,
  type NodeServiceSettings,
  type RunningNodeService,
  startNodeService,
} from './node-service.js';
export {
  cachedProbe,
  type HeapStatistics,
  httpServerProbe,
  managementRepositoryProbe,
  memoryProbe,
  type Probe,
  ProbeRegistry,
  type ProbeResult,
  ratelimitRepositoryProbe,
  type StoreProbeOptions,
  syncProcessProbe,
} from './probes.js';
export { REDACTED, redactSecrets } from './redact.js';
export {
  DURATION_BUCKETS,
  RequestStatsTable,
  type SerializedApiStats,
  type SerializedDuration,
  STATUS_CLASSES,
} from './request-stats.js';
