/**
 * The gateway's listener: Node's HTTP/1.1 parser with the gateway's limits and timeouts, malformed or slow requests
 * answered with a stable key (400, 408, 413, 414, 431) and the connection closed, and the connection limit answered
 * 503 rather than dropped. With TLS, HTTP/2 is offered by ALPN (RFC 7301) next to HTTP/1.1 and certificates are
 * chosen by SNI; without it, h2c with prior knowledge can share the port. WebSocket upgrades are relayed.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type ServerOptions, STATUS_CODES } from 'node:http';
import {
  constants,
  createServer as createHttp2Server,
  createSecureServer,
  type Http2SecureServer,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type ServerHttp2Session,
} from 'node:http2';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Server as NetServer } from 'node:net';
import type { Duplex } from 'node:stream';
import { ERROR_CATALOGUE } from '@apim/core';
import type { Logger } from 'pino';
import type { ApiRegistry } from './api-registry.js';
import { exchangeOf, exchangeOfResponse } from './exchange.js';
import { failure, type GatewayErrorKey } from './gateway-error.js';
import { createRequestHandler, markOverloaded, type RequestHandler } from './request-handler.js';
import { type GatewayServerOptions, resolveServerSettings, type ServerSettings } from './server-options.js';
import { ConnectionTracker } from './tcp/connection-tracker.js';
import { serveH2cPriorKnowledge } from './tcp/h2c-sniffer.js';
import { CertificateStore, clientAuthOptions } from './tls/certificate-store.js';
import { createUpgradeHandler, type UpgradeHandler } from './websocket/upgrade-relay.js';

/**
 * The key of a client error reported by Node's HTTP parser or its timeouts. A header overflow whose packet is a
 * request line longer than `maxUriLength` is a 414 rather than a 431 (Node counts the request line in the header
 * size).
 */
export function clientErrorKey(
  error: NodeJS.ErrnoException & { rawPacket?: Buffer },
  maxUriLength: number,
): GatewayErrorKey {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return requestLineLength(error.rawPacket) > maxUriLength
        ? 'GATEWAY_REQUEST_URI_TOO_LONG'
        : 'GATEWAY_REQUEST_HEADERS_TOO_LARGE';
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 'GATEWAY_CLIENT_REQUEST_TIMEOUT';
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 'GATEWAY_REQUEST_BODY_TOO_LARGE';
    default:
      return 'GATEWAY_BAD_REQUEST';
  }
}

/** Length of the request target when `packet` starts with a request line (`METHOD SP target`), else 0. */
function requestLineLength(packet: Buffer | undefined): number {
  if (packet === undefined) return 0;
  const space = packet.indexOf(32);
  if (space < 1 || space > 20) return 0;
  for (let i = 0; i < space; i++) {
    const c = packet[i]!;
    if (c < 65 || c > 90) return 0; // methods are uppercase tokens
  }
  const end = packet.indexOf(32, space + 1);
  const lineEnd = packet.indexOf(13, space + 1);
  const stop = end !== -1 ? end : lineEnd !== -1 ? lineEnd : packet.length;
  return stop - space - 1;
}

/**
 * Answers a malformed, oversized or too slow request (RFC 9112 §2.2, https://www.rfc-editor.org/rfc/rfc9112#section-2.2)
 * and closes the connection. With a request in progress on the connection, its exchange answers (and reports) it.
 */
function answerClientError(
  error: NodeJS.ErrnoException & { rawPacket?: Buffer },
  socket: Duplex,
  settings: ServerSettings,
  logger: Logger,
): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const key: GatewayErrorKey = clientErrorKey(error, settings.maxUriLength);
  const exchange = exchangeOf(socket);
  if (exchange !== undefined) {
    exchange.abortWith(failure(key, error));
    return;
  }
  logger.debug({ code: error.code, key }, 'client error');
  const { status, message } = ERROR_CATALOGUE[key];
  const id = randomUUID();
  const head =
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: text/plain\r\n` +
    `content-length: ${Buffer.byteLength(message)}\r\nconnection: close\r\n` +
    `${settings.transaction.name}: ${id}\r\n${settings.requestId.name}: ${id}\r\n\r\n`;
  socket.end(head + message, () => socket.destroy());
  try {
    settings.observer?.requestCompleted({
      apiId: undefined,
      planId: undefined,
      endpoint: undefined,
      method: '',
      status,
      errorKey: key,
      durationMs: 0,
      endpointDurationMs: -1,
      aborted: false,
    });
  } catch (observerError) {
    logger.error({ err: observerError }, 'request observer failed');
  }
}

/** Counts the open client connections; those beyond `max` get their request answered 503 and are closed. */
function limitConnections(server: NetServer, max: number, event: 'connection' | 'secureConnection'): void {
  let open = 0;
  const closed = () => {
    open--;
  };
  server.on(event, (socket: Duplex) => {
    open++;
    socket.on('close', closed);
    if (open > max) markOverloaded(socket);
  });
}

/** How often Node checks the headers and request timeouts: often enough for short timeouts, at most every second. */
function checkingInterval(...timeouts: number[]): number {
  const shortest = Math.min(...timeouts.filter((timeout) => timeout > 0));
  return Number.isFinite(shortest) ? Math.min(1_000, Math.max(10, Math.floor(shortest / 4))) : 1_000;
}

/** Node's HTTP/1.1 server options for the settings. */
function http1Options(settings: ServerSettings): ServerOptions {
  const { headersTimeoutMs, requestTimeoutMs } = settings;
  const requestTimeout = requestTimeoutMs === 0 ? 0 : Math.max(requestTimeoutMs, headersTimeoutMs);
  return {
    keepAlive: true,
    noDelay: true,
    maxHeaderSize: settings.maxHeaderSize,
    headersTimeout: headersTimeoutMs,
    requestTimeout,
    connectionsCheckingInterval: checkingInterval(headersTimeoutMs, requestTimeout),
  };
}

/** The request handler as an HTTP/2 compatibility listener: the exchange uses what both request kinds share. */
type Http2Handler = (req: Http2ServerRequest, res: Http2ServerResponse) => void;

/** Everything a listener serves with: the resolved settings, the request listener and the upgrade listener. */
interface Serving {
  settings: ServerSettings;
  handler: RequestHandler;
  http2Handler: Http2Handler;
  upgrade: UpgradeHandler | undefined;
}

function serving(registry: ApiRegistry, logger: Logger, options: GatewayServerOptions): Serving {
  const settings = resolveServerSettings(options);
  const handler = createRequestHandler(registry, logger, settings);
  const upgrade = options.websocket === false ? undefined : createUpgradeHandler(registry, logger, settings, handler);
  return { settings, handler, http2Handler: http2RequestHandler(handler, settings), upgrade };
}

function onStreamRequestTimeout(req: Http2ServerRequest, res: Http2ServerResponse): void {
  if (req.complete) return;
  const exchange = exchangeOfResponse(res);
  if (exchange !== undefined) exchange.abortWith(failure('GATEWAY_CLIENT_REQUEST_TIMEOUT'));
  else req.stream.close(constants.NGHTTP2_CANCEL);
}

/**
 * The request handler for HTTP/2 streams, with the request timeout Node applies to HTTP/1.1 connections only: a
 * stream whose request body is not complete after `requestTimeoutMs` is answered 408 (or reset once its response
 * started), and its upstream call aborted.
 */
function http2RequestHandler(handler: RequestHandler, settings: ServerSettings): Http2Handler {
  const h1 = handler as unknown as Http2Handler;
  const { requestTimeoutMs } = settings;
  if (requestTimeoutMs === 0) return h1;
  return (req, res) => {
    // With `allowHTTP1`, the HTTP/1.1 requests of the TLS listener come here too (Node times those out itself).
    if (req.stream !== undefined && !req.stream.endAfterHeaders) {
      const timer = setTimeout(onStreamRequestTimeout, requestTimeoutMs, req, res);
      const clear = () => clearTimeout(timer);
      req.once('end', clear);
      req.stream.once('close', clear);
    }
    h1(req, res);
  };
}

/**
 * The idle timeout of HTTP/2 sessions (`keepAliveTimeoutMs`, as for HTTP/1.1 keep-alive): a session without any
 * frame for that long is closed gracefully (GOAWAY; streams still open complete).
 */
function limitHttp2Sessions(server: NetServer, settings: ServerSettings): void {
  const idleMs = settings.keepAliveTimeoutMs;
  if (idleMs === 0) return;
  server.on('session', (session: ServerHttp2Session) => {
    session.setTimeout(idleMs, () => session.close());
  });
}

/** The listeners every variant of the server gets (HTTP/1.1 events are emitted by the HTTP/2 server too). */
function configure(
  server: NetServer,
  { settings, handler, upgrade }: Serving,
  logger: Logger,
  connectionEvent: 'connection' | 'secureConnection',
): void {
  (server as Server).keepAliveTimeout = settings.keepAliveTimeoutMs;
  // Without this listener Node answers `100 Continue` before the gateway has routed the request.
  server.on('checkContinue', (req, res) => handler(req, res, true));
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) =>
    answerClientError(error, socket, settings, logger),
  );
  if (upgrade !== undefined) {
    server.on('upgrade', upgrade);
    (server as { [kUpgrade]?: UpgradeHandler })[kUpgrade] = upgrade;
  }
  if (settings.maxConnections > 0) limitConnections(server, settings.maxConnections, connectionEvent);
}

/**
 * Creates the gateway's cleartext server (not yet listening) around a registry: HTTP/1.1, WebSocket upgrades, and h2c
 * with prior knowledge when `http2Cleartext` is set. For TLS use {@link createGatewayListener}.
 *
 * @example
 * const server = createGatewayServer(registry, logger, { maxUriLength: 4096, observer });
 * server.listen(8082);
 */
export function createGatewayServer(registry: ApiRegistry, logger: Logger, options: GatewayServerOptions = {}): Server {
  const serve = serving(registry, logger, options);
  const server = createServer(http1Options(serve.settings), serve.handler);
  configure(server, serve, logger, 'connection');
  if (options.http2Cleartext === true) {
    const h2 = createHttp2Server({ settings: { maxHeaderListSize: serve.settings.maxHeaderSize } }, serve.http2Handler);
    h2.on('checkContinue', (req, res) => serve.handler(req as never, res as never, true));
    limitHttp2Sessions(h2, serve.settings);
    h2.on('session', (session) => server.emit('session', session));
    serveH2cPriorKnowledge(server, h2, serve.settings.headersTimeoutMs);
  }
  return server;
}

const kUpgrade = Symbol('apim.upgrade');

/** Destroys the connections relayed by a server's upgrade handler (they are no longer the server's). */
function destroyUpgraded(server: object): void {
  (server as { [kUpgrade]?: UpgradeHandler })[kUpgrade]?.destroyAll();
}

/** The server behind a gateway listener. */
export type GatewayServer = Server | HttpsServer | Http2SecureServer;

/** A gateway listener: its server (not yet listening), certificate reload and graceful drain. */
export interface GatewayListener {
  readonly server: GatewayServer;
  /** The TLS certificates, when TLS is on. */
  readonly certificates: CertificateStore | undefined;
  /**
   * Reads the certificates again; new connections get them, open ones keep theirs. Throws (and keeps the current
   * certificates) when they cannot be loaded; a no-op without TLS.
   */
  reloadCertificates(): void;
  /** Stops accepting, lets in-flight requests finish, cuts what remains after `deadlineMs`. Stops the file watch. */
  drain(deadlineMs: number): Promise<void>;
}

/**
 * Creates the gateway's listener: cleartext as {@link createGatewayServer}, or TLS with SNI, mTLS and (unless
 * `http2: false`) HTTP/2 by ALPN through Node's compatibility API, so one request handler serves both versions.
 *
 * @example
 * const listener = createGatewayListener(registry, logger, { tls: { certificates: [{ cert: 'tls.crt', key: 'tls.key' }] } });
 * listener.server.listen(8443);
 * listener.reloadCertificates();
 */
export function createGatewayListener(
  registry: ApiRegistry,
  logger: Logger,
  options: GatewayServerOptions = {},
): GatewayListener {
  if (options.tls === undefined) {
    const server = createGatewayServer(registry, logger, options);
    const tracker = options.http2Cleartext === true ? new ConnectionTracker(server, 'connection') : undefined;
    return {
      server,
      certificates: undefined,
      reloadCertificates() {},
      drain: (deadlineMs) => (tracker ? tracker.drain(deadlineMs) : drainHttp1(server, deadlineMs)),
    };
  }
  const certificates = new CertificateStore(options.tls, logger);
  const serve = serving(registry, logger, options);
  const http1 = http1Options(serve.settings);
  const tlsOptions = {
    ...certificates.defaultOptions(),
    ...clientAuthOptions(options.tls),
    SNICallback: certificates.sniCallback,
  };
  let server: HttpsServer | Http2SecureServer;
  if (options.http2 === false) {
    server = createHttpsServer({ ...http1, ...tlsOptions }, serve.handler);
  } else {
    const h2 = createSecureServer(
      { ...tlsOptions, allowHTTP1: true, settings: { maxHeaderListSize: serve.settings.maxHeaderSize } },
      serve.http2Handler,
    );
    // The HTTP/1.1 connections of an HTTP/2 server read their limits from the server's properties.
    Object.assign(h2, {
      maxHeaderSize: http1.maxHeaderSize,
      headersTimeout: http1.headersTimeout,
      requestTimeout: http1.requestTimeout,
      connectionsCheckingInterval: http1.connectionsCheckingInterval,
    });
    limitHttp2Sessions(h2, serve.settings);
    server = h2;
  }
  server.on('tlsClientError', (error: Error) => logger.debug({ err: error }, 'tls handshake failed'));
  configure(server, serve, logger, 'secureConnection');
  certificates.attach(server);
  const tracker = new ConnectionTracker(server, 'secureConnection');
  return {
    server,
    certificates,
    reloadCertificates() {
      const error = certificates.reload();
      if (error !== undefined) throw error;
    },
    async drain(deadlineMs) {
      certificates.close();
      await tracker.drain(deadlineMs);
    },
  };
}

/**
 * Drains an HTTP/1.1 server: stops accepting connections, closes keep-alive connections as they become idle, and cuts
 * the remaining ones at the deadline.
 */
async function drainHttp1(server: Server, deadlineMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const reaper = setInterval(() => server.closeIdleConnections(), 25);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      server.closeAllConnections();
      destroyUpgraded(server);
      resolve();
    }, deadlineMs);
  });
  server.closeIdleConnections();
  await Promise.race([closed, expired]);
  clearInterval(reaper);
  clearTimeout(timer);
  await closed;
}
