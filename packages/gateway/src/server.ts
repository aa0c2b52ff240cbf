/**
 * The gateway's HTTP/1.1 server: Node's parser with the gateway's limits and timeouts, malformed or slow requests
 * answered with a stable key (400, 408, 413, 414, 431) and the connection closed, and the connection limit answered
 * 503 rather than dropped.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ERROR_CATALOGUE } from '@apim/core';
import type { Logger } from 'pino';
import type { ApiRegistry } from './api-registry.js';
import { exchangeOf } from './exchange.js';
import { failure, type GatewayErrorKey } from './gateway-error.js';
import { createRequestHandler, markOverloaded } from './request-handler.js';
import { type GatewayServerOptions, resolveServerSettings, type ServerSettings } from './server-options.js';

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
function limitConnections(server: Server, max: number): void {
  let open = 0;
  const closed = () => {
    open--;
  };
  server.on('connection', (socket) => {
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

/**
 * Creates the gateway's HTTP/1.1 server (not yet listening) around a registry.
 *
 * @example
 * const server = createGatewayServer(registry, logger, { maxUriLength: 4096, observer });
 * server.listen(8082);
 */
export function createGatewayServer(registry: ApiRegistry, logger: Logger, options: GatewayServerOptions = {}): Server {
  const settings = resolveServerSettings(options);
  const handler = createRequestHandler(registry, logger, settings);
  const { headersTimeoutMs, requestTimeoutMs } = settings;
  const requestTimeout = requestTimeoutMs === 0 ? 0 : Math.max(requestTimeoutMs, headersTimeoutMs);
  const server = createServer(
    {
      keepAlive: true,
      noDelay: true,
      maxHeaderSize: settings.maxHeaderSize,
      headersTimeout: headersTimeoutMs,
      requestTimeout,
      connectionsCheckingInterval: checkingInterval(headersTimeoutMs, requestTimeout),
    },
    handler,
  );
  server.keepAliveTimeout = settings.keepAliveTimeoutMs;
  // Without this listener Node answers `100 Continue` before the gateway has routed the request.
  server.on('checkContinue', (req, res) => handler(req, res, true));
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) =>
    answerClientError(error, socket, settings, logger),
  );
  if (settings.maxConnections > 0) limitConnections(server, settings.maxConnections);
  return server;
}
