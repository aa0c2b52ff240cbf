/**
 * The messages between a gateway cluster's primary and its workers, over the IPC channel of node:cluster (advanced
 * serialization, i.e. structured clone). Every message carries `apim`, its type, so that other messages on the channel
 * (node:cluster's own are filtered out by Node) are ignored.
 *
 * Primary -> worker: `init` (settings), the subscriptions and API keys (`security`, reset first), the `snapshot` of
 * the deployed entries in chunks (the last one flagged), then every `deploy` / `undeploy` and `security` change in the
 * order the syncs apply them, `report` requests, `reload-certificates` and `drain`.
 * Worker -> primary: `hello` (listening for messages), `listening`, `failed`, `rejected`, `report` answers.
 */
import type { Flow } from '@apim/core';
import type { RateLimitDecision, RateLimitRequest } from '@apim/ratelimit';
import type { GatewayOptions } from '../gateway.js';
import type { SerializedApiStats } from '../node/request-stats.js';
import type { KnownApiKey, KnownSubscription } from '../security/subscription-registry.js';

/** Entries per `snapshot` message: 10,000 APIs reach a new worker in 20 messages, none of them huge. */
export const SNAPSHOT_CHUNK = 500;

/**
 * What a worker is started with: the serialisable part of the gateway options (listeners, limits, headers, TLS, TCP
 * proxy, sharding tags for plan filtering, platform flows, drain deadline) and how to log.
 */
export interface WorkerSettings
  extends Omit<
    GatewayOptions,
    'store' | 'logger' | 'policies' | 'observer' | 'node' | 'platformFlows' | 'environmentIds' | 'localStatePath'
  > {
  platformFlows?: Flow[];
  /** The primary logger's level and child bindings (the worker adds its pid and worker id). */
  log: { level: string; bindings: Record<string, unknown> };
  /** Whether the worker counts requests for the node service's metrics. */
  metrics: boolean;
}

/** A worker's answer to a `report` request. */
export interface WorkerReport {
  pid: number;
  listening: boolean;
  /** APIs deployed in the worker. */
  apis: number;
  /** Requests the worker has finished since it started. */
  requests: number;
  /** In-flight requests by API (only APIs with some). */
  inFlight: [string, number][];
  /** The request stats by API, when asked (a Prometheus scrape). */
  stats?: SerializedApiStats[];
}

export type PrimaryMessage =
  | { apim: 'init'; settings: WorkerSettings }
  /** `entries` is the JSON text of an array of `LocalApiEntry`. */
  | { apim: 'snapshot'; entries: string; last: boolean }
  /** `entry` is the JSON text of a `LocalApiEntry`. */
  | { apim: 'deploy'; entry: string }
  | { apim: 'undeploy'; apiId: string }
  /** Subscriptions and API keys changed (`reset`: replace everything the worker has). */
  | { apim: 'security'; reset: boolean; subscriptions: KnownSubscription[]; apiKeys: KnownApiKey[] }
  | { apim: 'report'; id: number; stats: boolean }
  | { apim: 'reload-certificates' }
  /** The primary's answer to a worker's `rate-limit` request (in-memory counters kept by the primary). */
  | { apim: 'rate-limit-decision'; id: number; decision?: RateLimitDecision; error?: string }
  | { apim: 'drain'; deadlineMs: number };

export type WorkerMessage =
  | { apim: 'hello' }
  | { apim: 'listening'; port: number; tcpPort: number | undefined }
  | { apim: 'failed'; message: string }
  | { apim: 'rejected'; apiId: string; deploymentId: string; revision: number }
  | { apim: 'report'; id: number; report: WorkerReport }
  /** A counter decision asked of the primary (in-memory rate limits shared by the workers). */
  | { apim: 'rate-limit'; id: number; op: 'consume' | 'increment'; request: RateLimitRequest };

/** Whether an IPC message is one of ours. */
export function isApimMessage<T extends { apim: string }>(message: unknown): message is T {
  return typeof message === 'object' && message !== null && typeof (message as { apim?: unknown }).apim === 'string';
}
