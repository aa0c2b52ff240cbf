/**
 * WebSocket proxying (RFC 6455 §4, https://www.rfc-editor.org/rfc/rfc6455#section-4) at the TCP level: an HTTP/1.1
 * upgrade request is routed like any request (host, context path, plan, endpoint), sent to the endpoint over a new
 * connection with the path and headers rewritten as for a proxied request, and once the endpoint answers
 * `101 Switching Protocols` both sockets are piped to each other. Frames are not parsed.
 *
 * Upgrade is hop-by-hop (RFC 9110 §7.8, https://www.rfc-editor.org/rfc/rfc9110#section-7.8): the gateway re-adds it
 * for the next hop. Other upgrade tokens (`h2c`...) are ignored and the request is served as a plain request.
 */
import type { IncomingMessage } from 'node:http';
import { ServerResponse } from 'node:http';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type ConnectionOptions, type TLSSocket, connect as tlsConnect } from 'node:tls';
import type { Logger } from 'pino';
import type { ApiRegistry } from '../api-registry.js';
import type { EndpointRuntime } from '../endpoint-group.js';
import { Exchange, type ExchangeContext } from '../exchange.js';
import { failure, upstreamErrorKey } from '../gateway-error.js';
import type { PlanResolution } from '../plan-resolver.js';
import { buildUpstreamHeaders } from '../proxy-headers.js';
import type { RequestHandler } from '../request-handler.js';
import { normalizeRequestTarget } from '../request-path.js';
import type { ServerSettings } from '../server-options.js';

/** A Node `upgrade` listener, with the connections it relays (which the server no longer tracks). */
export type UpgradeHandler = ((req: IncomingMessage, socket: Duplex, head: Buffer) => void) & {
  /** Destroys every relayed connection (at the end of a drain). */
  destroyAll(): void;
};

const HEAD_END = Buffer.from('\r\n\r\n');
/** Longest upstream response head accepted before the relay gives up (502). */
const MAX_HEAD = 64 * 1024;

/** Whether an Upgrade header asks for WebSocket (RFC 6455 §4.1: case-insensitive token). */
export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  const upgrade = req.headers.upgrade;
  return (
    typeof upgrade === 'string' &&
    upgrade
      .toLowerCase()
      .split(',')
      .some((t) => t.trim() === 'websocket')
  );
}

/**
 * Creates the `upgrade` listener of a gateway server. Gateway failures (404 no context path, 401 plan, 503 no
 * endpoint, 502/504 endpoint unreachable) are answered as for any request, with `Connection: close`.
 *
 * @example server.on('upgrade', createUpgradeHandler(registry, logger, settings, handler));
 */
export function createUpgradeHandler(
  registry: ApiRegistry,
  logger: Logger,
  settings: ServerSettings,
  handler: RequestHandler,
  connectTimeoutMs = 10_000,
): UpgradeHandler {
  const context: ExchangeContext = { settings, logger };
  const sockets = new Set<Duplex>();
  const handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as Socket);
    res.on('finish', () => socket.end());
    if (!isWebSocketUpgrade(req)) {
      handler(req, res);
      return;
    }
    const exchange = new Exchange(req, res, context);
    const failed = (error: unknown) => {
      logger.error({ err: error }, 'upgrade handling failed');
      exchange.fail(failure('GATEWAY_INTERNAL_ERROR', error), true);
    };
    /** Once the plan is resolved: refuse, or pick an endpoint and relay. */
    const proceed = (security: PlanResolution) => {
      try {
        if (socket.destroyed) return;
        const plan = security.plan;
        if (plan === undefined) return exchange.fail(failure(security.failureKey ?? 'GATEWAY_PLAN_UNRESOLVABLE'), true);
        exchange.planId = plan.id;
        if (security.subscription !== undefined) exchange.authorized(security);
        const endpoint = exchange.api!.endpointGroup?.select();
        if (endpoint === undefined) return exchange.fail(failure('GATEWAY_NO_ENDPOINT_AVAILABLE'), true);
        exchange.endpoint = endpoint;
        relay(exchange, endpoint, socket, head, connectTimeoutMs);
      } catch (error) {
        failed(error);
      }
    };
    try {
      // Dot segments are resolved before routing, as for requests (request-path.ts).
      const target = req.url ?? '/';
      const url = normalizeRequestTarget(target);
      if (url === undefined) return exchange.fail(failure('GATEWAY_BAD_REQUEST'), true);
      if (url !== target) req.url = url;
      const route = registry.match(req.headers.host, url);
      if (route === undefined) return exchange.notFound();
      const api = route.value;
      exchange.api = api;
      exchange.prefixLength = route.prefixLength;
      const security = api.resolveSecurity(req);
      if (security instanceof Promise) {
        exchange.hold();
        security.then(proceed, failed);
      } else proceed(security);
    } catch (error) {
      failed(error);
    }
  };
  return Object.assign(handleUpgrade, {
    destroyAll() {
      for (const socket of sockets) socket.destroy();
    },
  });
}

/** The upgrade request head for the endpoint: request line, rewritten headers, Connection/Upgrade for this hop. */
function upstreamHead(exchange: Exchange, endpoint: EndpointRuntime): string {
  const { req, prefixLength } = exchange;
  const url = req.url ?? '/';
  const path = endpoint.upstreamPath(prefixLength === 0 ? url : url.slice(prefixLength));
  const proto = (req.socket as TLSSocket).encrypted === true ? 'https' : 'http';
  const headers = buildUpstreamHeaders(
    req.rawHeaders,
    endpoint.headerContext,
    req.socket.remoteAddress,
    proto,
    exchange.context.settings,
    exchange,
  );
  headers.push('connection', 'Upgrade', 'upgrade', req.headers.upgrade ?? 'websocket');
  let head = `${req.method} ${path} HTTP/1.1\r\n`;
  for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
  return `${head}\r\n`;
}

/**
 * Connects to the endpoint: TCP, or TLS for `https` targets with the endpoint's TLS settings, as its HTTP requests
 * use them (trustAll, hostnameVerifier, trust store, key store for a client certificate), resolved at deploy time.
 */
function connectTo(endpoint: EndpointRuntime): Socket {
  const url = new URL(endpoint.origin);
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  const port = Number(url.port) || (secure ? 443 : 80);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!secure) return netConnect({ host, port, noDelay: true });
  const { timeout: _timeout, ...tls } = (endpoint.poolOptions.connect ?? {}) as ConnectionOptions & {
    timeout?: number;
  };
  return tlsConnect({
    ...tls,
    host,
    port,
    // SNI carries host names only (RFC 6066 §3).
    servername: isIP(host) === 0 ? host : undefined,
    ALPNProtocols: ['http/1.1'],
  });
}

/** Sends the upgrade upstream, relays the response head (with the id headers), then pipes both ways. */
function relay(exchange: Exchange, endpoint: EndpointRuntime, client: Duplex, head: Buffer, timeoutMs: number): void {
  const { res, api } = exchange;
  const upstream = connectTo(endpoint);
  const startedAt = performance.now();
  let received: Buffer = Buffer.alloc(0);
  let status = 0;
  let relaying = false;
  api?.acquire();
  upstream.setTimeout(timeoutMs, () => upstream.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
  upstream.write(upstreamHead(exchange, endpoint));
  if (head.length > 0) upstream.write(head);
  const onData = (chunk: Buffer) => {
    received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
    const end = received.indexOf(HEAD_END);
    if (end === -1) {
      if (received.length > MAX_HEAD) upstream.destroy(new Error('upstream response head too large'));
      return;
    }
    upstream.removeListener('data', onData);
    upstream.setTimeout(0);
    exchange.endpointDurationMs = performance.now() - startedAt;
    status = Number(received.toString('latin1', 9, 12));
    relaying = true;
    res.detachSocket(client as Socket);
    const ids = exchange.idHeaders();
    let extra = '';
    for (let i = 0; i < ids.length; i += 2) extra += `\r\n${ids[i]}: ${ids[i + 1]}`;
    client.write(Buffer.concat([received.subarray(0, end), Buffer.from(extra, 'latin1'), received.subarray(end)]));
    if (status === 101) {
      upstream.pipe(client);
      client.pipe(upstream);
      return;
    }
    // A refusal (not 101): its response is relayed, then the connection closes, so that no further request from the
    // client reaches the endpoint without being routed.
    client.resume();
    refused(upstream, client, received.subarray(0, end).toString('latin1'), received.subarray(end + 4));
  };
  upstream.on('data', onData);
  upstream.on('error', (error) => {
    if (relaying) client.destroy();
    else exchange.fail(failure(upstreamErrorKey(error), error), true);
  });
  upstream.on('close', () => (relaying ? client.end() : undefined));
  client.on('close', () => {
    upstream.destroy();
    api?.release();
    if (relaying) report(exchange, status);
  });
}

/** Relays the rest of a refusal's body (by its Content-Length, else until the endpoint closes), then closes both. */
function refused(upstream: Socket, client: Duplex, head: string, rest: Buffer): void {
  const length = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head)?.[1];
  const chunked = /\r\ntransfer-encoding:[^\r]*chunked/i.test(head);
  let remaining = length === undefined ? Number.POSITIVE_INFINITY : Number(length) - rest.length;
  let tail = rest.toString('latin1').slice(-7);
  const finish = () => {
    client.end(() => client.destroy());
    upstream.destroy();
  };
  // RFC 9112 §7.1: a chunked body ends with the last chunk `0` and an empty line (refusals carry no trailers).
  const ended = () => remaining <= 0 || (chunked && (tail === '0\r\n\r\n' || tail.endsWith('\r\n0\r\n\r\n')));
  if (ended()) {
    finish();
    return;
  }
  upstream.on('data', (chunk: Buffer) => {
    client.write(chunk);
    remaining -= chunk.length;
    tail = (tail + chunk.toString('latin1', Math.max(0, chunk.length - 7))).slice(-7);
    if (ended()) finish();
  });
}

/** Tells the observer about a relayed upgrade once its connection is over. */
function report(exchange: Exchange, status: number): void {
  const observer = exchange.context.settings.observer;
  try {
    observer?.requestCompleted({
      apiId: exchange.api?.id,
      planId: exchange.planId,
      endpoint: exchange.endpoint?.name,
      method: exchange.req.method ?? 'GET',
      status,
      errorKey: undefined,
      durationMs: performance.now() - exchange.startedAt,
      endpointDurationMs: exchange.endpointDurationMs,
      aborted: false,
    });
  } catch (error) {
    exchange.context.logger.error({ err: error }, 'request observer failed');
  }
}
