/**
 * The gateway on several cores: one primary (sync, node service) and workers sharing the gateway's port.
 */
export { type GatewayClusterOptions, type RunningGatewayCluster, startGatewayCluster } from './gateway-cluster.js';
export type { WorkerReport, WorkerSettings } from './protocol.js';
export { type GatewayWorkerExtras, type GatewayWorkerHooks, runGatewayWorker } from './worker.js';
export type { WorkerView } from './worker-pool.js';
