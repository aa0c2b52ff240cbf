/**
 * The gateway's node service (Gravitee's `services.core.http`): a separate, authenticated HTTP port serving the node
 * info, health probes, Prometheus metrics and the deployed APIs.
 *
 * Routes (GET): `/_node`, `/_node/health[?probes=a,b]`, `/_node/metrics/prometheus`, `/_node/apis`, `/_node/apis/:id`.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import type { ConfigStore } from '@apim/core';
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { ApiRegistry } from '../api-registry.js';
import type { GatewaySync } from '../sync.js';
import { type NodeApiCatalog, registryApiCatalog } from './api-views.js';
import { BASIC_CHALLENGE, createNodeAuthenticator, type NodeAuthentication } from './basic-auth.js';
import type { NodeMetrics } from './metrics.js';
import {
  httpServerProbe,
  managementRepositoryProbe,
  memoryProbe,
  type Probe,
  ProbeRegistry,
  type RateLimitHealthSource,
  ratelimitRepositoryProbe,
  type StoreProbeOptions,
  syncProcessProbe,
} from './probes.js';

/** Identity of the node, shown by `GET /_node`. */
export interface NodeInfoOptions {
  /** Node id (default: a random UUID per start). */
  id?: string;
  /** Default `APIM Gateway`. */
  name?: string;
  /** Default: the version of @apim/gateway. */
  version?: string;
}

/** Settings of the node service that a gateway's configuration carries. */
export interface NodeServiceSettings {
  /** Port to listen on (default 18082; 0 picks a free one). */
  port?: number;
  /** Interface to bind (default 127.0.0.1, like Gravitee's `localhost`); `0.0.0.0` to expose it. */
  host?: string;
  /** Who may call it: HTTP Basic users, or `{ type: 'none' }` to turn authentication off explicitly. */
  authentication: NodeAuthentication;
  /** Age past which the last successful sync makes `sync-process` unhealthy (default max(10 × syncIntervalMs, 30 s)). */
  syncMaxAgeMs?: number;
  /** Heap used / heap limit ratio past which `memory` is unhealthy (default 0.9). */
  memoryThreshold?: number;
  /** Ping timeout and result cache of `management-repository` (default 2 s and 1 s). */
  storeProbe?: StoreProbeOptions;
  /** Extra probes, or replacements of the built-in ones by id (e.g. a Redis `ratelimit-repository`). */
  probes?: readonly Probe[];
  info?: NodeInfoOptions;
}

export interface NodeServiceOptions extends NodeServiceSettings {
  sync: GatewaySync;
  /** The gateway's registry; or give `apis`. */
  registry?: ApiRegistry;
  /** What `/_node/apis` lists, instead of `registry` (a cluster primary's view of its workers' APIs). */
  apis?: NodeApiCatalog;
  /** With a cluster of workers: what `GET /_node/workers` lists (the route exists only then). */
  workers?: () => Promise<unknown[]>;
  store: ConfigStore;
  metrics: NodeMetrics;
  /** The rate-limit counter store, for the `ratelimit-repository` probe (absent: always healthy). */
  rateLimit?: RateLimitHealthSource;
  /** The gateway's HTTP server, for the `http-server` probe (absent: the probe is not registered). */
  gatewayServer?: { readonly listening: boolean };
  /** The sync's polling period, for the default of `syncMaxAgeMs` (default 500 ms). */
  syncIntervalMs?: number;
  logger?: Logger;
}

export interface RunningNodeService {
  /** The port actually listened on. */
  port: number;
  /** The probes behind `/_node/health`; more can be registered while running. */
  probes: ProbeRegistry;
  close(): Promise<void>;
}

/**
 * Starts the node service on its own HTTP server.
 *
 * @example
 * const node = await startNodeService({
 *   authentication: { type: 'basic', users: { admin: process.env.NODE_PASSWORD! } },
 *   sync, registry, store, metrics: new NodeMetrics({ registry, sync }), logger,
 * });
 * // curl -u admin:... http://127.0.0.1:18082/_node/health
 */
export async function startNodeService(options: NodeServiceOptions): Promise<RunningNodeService> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const host = options.host ?? '127.0.0.1';
  const authenticate = createNodeAuthenticator(options.authentication);
  const probes = new ProbeRegistry([
    ...(options.gatewayServer ? [httpServerProbe(options.gatewayServer)] : []),
    syncProcessProbe(options.sync, options.syncMaxAgeMs ?? Math.max(10 * (options.syncIntervalMs ?? 500), 30_000)),
    managementRepositoryProbe(options.store, options.storeProbe),
    ratelimitRepositoryProbe(options.rateLimit),
    memoryProbe(options.memoryThreshold ?? 0.9),
    ...(options.probes ?? []),
  ]);
  const info = nodeInfo(options.info);
  const routes = createRoutes(options, probes, info);

  const server = createServer({ keepAlive: true, headersTimeout: 10_000, requestTimeout: 30_000 }, (req, res) => {
    if (!authenticate(req.headers.authorization)) {
      res.setHeader('www-authenticate', BASIC_CHALLENGE);
      writeJson(res, 401, { message: 'Unauthorized', http_status_code: 401 });
      return;
    }
    routes(req, res).catch((error: unknown) => {
      logger.error({ err: error, url: req.url }, 'node service request failed');
      if (res.headersSent) res.destroy();
      else writeJson(res, 500, { message: 'Internal Server Error', http_status_code: 500 });
    });
  });
  server.listen(options.port ?? 18082, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  logger.info({ port, host, authentication: options.authentication.type }, 'node service listening');
  if (options.authentication.type === 'none' && !isLoopback(host)) {
    logger.warn({ host }, 'node service exposed without authentication');
  }
  return {
    port,
    probes,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

type NodeInfo = ReturnType<typeof nodeInfo>;

function nodeInfo(options: NodeInfoOptions = {}) {
  return {
    id: options.id ?? randomUUID(),
    name: options.name ?? 'APIM Gateway',
    version: options.version ?? PACKAGE_VERSION,
    hostname: hostname(),
    pid: process.pid,
  };
}

function createRoutes(options: NodeServiceOptions, probes: ProbeRegistry, info: NodeInfo) {
  const { sync, store, metrics, workers } = options;
  if (options.apis === undefined && options.registry === undefined) {
    throw new TypeError('the node service needs the registry or an API catalog');
  }
  const apis = options.apis ?? registryApiCatalog(options.registry!, store);
  const startedAt = new Date();
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      writeJson(res, 405, { message: 'Method Not Allowed', http_status_code: 405 });
      return;
    }
    const url = new URL(req.url ?? '/', 'http://node');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    if (path === '/_node') {
      writeJson(res, 200, {
        ...info,
        shardingTags: sync.shardingTags || undefined,
        startedAt: startedAt.toISOString(),
        uptimeSeconds: Math.round(process.uptime()),
        apis: apis.size,
        sync: { firstSyncDone: sync.firstSyncDone, lastSyncAt: sync.lastSyncAt?.toISOString(), ...sync.counts },
      });
    } else if (path === '/_node/health') {
      const filter = url.searchParams.get('probes');
      const ids =
        filter === null
          ? undefined
          : filter
              .split(',')
              .map((id) => id.trim())
              .filter(Boolean);
      const results = await probes.run(ids);
      writeJson(res, Object.values(results).every((result) => result.healthy) ? 200 : 500, results);
    } else if (path === '/_node/metrics/prometheus') {
      const text = await metrics.metrics();
      res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
      res.end(text);
    } else if (path === '/_node/apis') {
      writeJson(res, 200, await apis.list());
    } else if (path.startsWith('/_node/apis/') && !path.slice('/_node/apis/'.length).includes('/')) {
      const id = safeDecode(path.slice('/_node/apis/'.length));
      const detail = id === undefined ? undefined : await apis.describe(id);
      if (detail === undefined) {
        writeJson(res, 404, { message: `API [${id}] is not deployed on this node`, http_status_code: 404 });
        return;
      }
      writeJson(res, 200, detail);
    } else if (path === '/_node/workers' && workers !== undefined) {
      writeJson(res, 200, await workers());
    } else {
      writeJson(res, 404, { message: 'Not Found', http_status_code: 404 });
    }
  };
}

function writeJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
  });
  res.end(payload);
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host.startsWith('127.');

/** The version of this package (src/node and dist/node both sit two levels below package.json). */
const PACKAGE_VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'unknown';
  }
})();
