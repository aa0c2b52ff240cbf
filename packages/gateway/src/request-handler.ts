/**
 * The request path of the gateway: route by host and context path, resolve the plan, pick an endpoint, proxy.
 * Everything it consults was compiled at deploy time; per request it only looks things up.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { ApiRegistry } from './api-registry.js';
import { failure, writeFailure, writeNoContextPathMatch } from './gateway-error.js';
import { proxyRequest } from './proxy.js';

/** A Node request listener. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Creates the request listener serving the APIs of a registry.
 *
 * @example http.createServer(createRequestHandler(registry, logger));
 */
export function createRequestHandler(registry: ApiRegistry, logger: Logger): RequestHandler {
  return function handleRequest(req, res) {
    try {
      const route = registry.match(req.headers.host, req.url ?? '/');
      if (route === undefined) {
        writeNoContextPathMatch(req, res);
        return;
      }
      const api = route.value;
      if (api.resolvePlan(req) === undefined) {
        writeFailure(req, res, failure('GATEWAY_PLAN_UNRESOLVABLE'));
        return;
      }
      const endpoint = api.endpointGroup?.select();
      if (endpoint === undefined) {
        writeFailure(req, res, failure('GATEWAY_NO_ENDPOINT_AVAILABLE'));
        return;
      }
      proxyRequest(req, res, api, route.prefixLength, endpoint, logger);
    } catch (error) {
      logger.error({ err: error, method: req.method }, 'request handling failed');
      if (res.headersSent) res.destroy();
      else writeFailure(req, res, failure('GATEWAY_INTERNAL_ERROR', error));
    }
  };
}

/** Timeouts of the gateway's HTTP server. */
export interface ServerTimeouts {
  /** Idle time of a client keep-alive connection (default 30 s). */
  keepAliveTimeoutMs?: number;
  /** Time for a client to send the request headers (default 30 s, slowloris protection). */
  headersTimeoutMs?: number;
  /** Time for a client to send the whole request, body included (default 300 s; 0 disables it). */
  requestTimeoutMs?: number;
}

/**
 * Creates the gateway's HTTP/1.1 server (not yet listening) around a registry.
 *
 * @example const server = createGatewayServer(registry, logger); server.listen(8082);
 */
export function createGatewayServer(registry: ApiRegistry, logger: Logger, timeouts: ServerTimeouts = {}): Server {
  const headersTimeout = timeouts.headersTimeoutMs ?? 30_000;
  const requestTimeout = timeouts.requestTimeoutMs ?? 300_000;
  const server = createServer(
    {
      keepAlive: true,
      noDelay: true,
      headersTimeout,
      requestTimeout: requestTimeout === 0 ? 0 : Math.max(requestTimeout, headersTimeout),
    },
    createRequestHandler(registry, logger),
  );
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs ?? 30_000;
  // Malformed requests get Node's own 400/408/431 answers (no 'clientError' listener on purpose).
  return server;
}
