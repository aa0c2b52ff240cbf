/**
 * The options of the gateway's HTTP server (timeouts, limits, proxy headers, observer) and their resolution, once at
 * start, into the frozen settings the request path reads.
 */
import { validateHeaderName } from 'node:http';
import { ApimError } from '@apim/core';
import type { RequestObserver } from './observer.js';
import type { TlsListenerOptions } from './tls/tls-options.js';

/** Timeouts of the gateway's HTTP server. */
export interface ServerTimeouts {
  /** Idle time of a client keep-alive connection before the gateway closes it (default 30 s). */
  keepAliveTimeoutMs?: number;
  /** Time for a client to send the request headers (default 30 s, slowloris protection): 408 past it. */
  headersTimeoutMs?: number;
  /** Time for a client to send the whole request, body included (default 300 s; 0 disables it): 408 past it. */
  requestTimeoutMs?: number;
}

/** Limits on what clients send. Every limit is answered with its status and a stable GATEWAY_* key. */
export interface ServerLimits {
  /** Maximum size of the request line and headers, in bytes (default 16 KiB): 431 past it. */
  maxHeaderSize?: number;
  /** Maximum length of the request target (path and query), in bytes (default 8 KiB; 0: no limit): 414 past it. */
  maxUriLength?: number;
  /** Maximum request body, in bytes (default 0: unlimited, as Gravitee): 413 past it, declared or streamed. */
  maxRequestBodySize?: number;
  /**
   * Maximum body the gateway holds in memory when a flow step needs it (`request.content`, a body-reading policy),
   * in bytes (default 10 MiB): 413 past it for a request body, 502 for a response body.
   */
  maxBufferedBodySize?: number;
  /**
   * Maximum open client connections (default 0: unlimited). A connection beyond it has its first request answered
   * 503 GATEWAY_TOO_MANY_CONNECTIONS with `Connection: close`.
   */
  maxConnections?: number;
}

/** How the gateway treats an id header the client (upstream request) or the endpoint (client response) already set. */
export type HeaderOverrideMode = 'override' | 'merge' | 'keep';

/** An id header, as Gravitee's `handlers.request.transaction` and `handlers.request.request`. */
export interface IdHeaderOptions {
  header?: string;
  /**
   * override (default): the gateway's value replaces the other one; merge: the other value, then the gateway's,
   * comma-separated; keep: the other value when there is one.
   */
  overrideMode?: HeaderOverrideMode;
}

/** Headers the gateway adds as a proxy. */
export interface ProxyHeaderOptions {
  /** `Via` on upstream requests and client responses (RFC 9110 §7.6.3); default on, received-by `apim-gateway`. */
  via?: { enabled?: boolean; receivedBy?: string };
  /** The transaction id header (default `X-Gravitee-Transaction-Id`): the client's value, else the request id. */
  transaction?: IdHeaderOptions;
  /** The request id header (default `X-Gravitee-Request-Id`): a new UUID per request. */
  requestId?: IdHeaderOptions;
  /**
   * Generate a W3C `traceparent` (https://www.w3.org/TR/trace-context/) when the client sent none or an invalid one,
   * and return it on the response (default false: the client's trace headers pass through unchanged).
   */
  generateTraceparent?: boolean;
}

/** The protocols of the gateway's listener. */
export interface ListenerOptions {
  /** TLS on the listener (certificates by SNI, mTLS); cleartext when absent. */
  tls?: TlsListenerOptions;
  /** With `tls`: offer HTTP/2 by ALPN next to HTTP/1.1 (default true); false serves HTTP/1.1 over TLS only. */
  http2?: boolean;
  /** Without `tls`: also serve cleartext HTTP/2 with prior knowledge (h2c) on the same port (default false). */
  http2Cleartext?: boolean;
  /** Proxy WebSocket upgrades (HTTP/1.1 `Upgrade: websocket`) to the endpoints (default true). */
  websocket?: boolean;
}

/** Everything the gateway's HTTP server can be given. */
export interface GatewayServerOptions extends ServerTimeouts, ServerLimits, ProxyHeaderOptions, ListenerOptions {
  /** Told about every finished request, once (metrics, analytics). */
  observer?: RequestObserver;
}

/** A resolved id header: the name as written on the wire and lowercased for comparisons. */
export interface IdHeader {
  readonly name: string;
  readonly lower: string;
  readonly mode: HeaderOverrideMode;
}

/** The resolved, frozen server settings. */
export interface ServerSettings {
  readonly keepAliveTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxHeaderSize: number;
  readonly maxUriLength: number;
  readonly maxRequestBodySize: number;
  readonly maxBufferedBodySize: number;
  readonly maxConnections: number;
  /** `Via` values by the HTTP version received (`1.1 apim-gateway`); undefined when Via is off. */
  readonly via: { readonly '1.0': string; readonly '1.1': string; readonly '2': string } | undefined;
  readonly transaction: IdHeader;
  readonly requestId: IdHeader;
  readonly generateTraceparent: boolean;
  readonly observer: RequestObserver | undefined;
}

const MODES: ReadonlySet<string> = new Set(['override', 'merge', 'keep']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw invalid(`${name} must be a non-negative number`);
  return Math.floor(value);
}

function invalid(message: string): ApimError {
  return new ApimError('CONFIG_INVALID', { message: `gateway server: ${message}` });
}

function idHeader(option: string, given: IdHeaderOptions | undefined, fallback: string): IdHeader {
  const name = given?.header?.trim() || fallback;
  try {
    validateHeaderName(name);
  } catch {
    throw invalid(`${option}.header [${name}] is not a valid header name`);
  }
  const mode = given?.overrideMode ?? 'override';
  if (!MODES.has(mode)) throw invalid(`${option}.overrideMode must be override, merge or keep`);
  return Object.freeze({ name, lower: name.toLowerCase(), mode });
}

/**
 * Applies the defaults and validates (throws CONFIG_INVALID on a bad value).
 *
 * @example resolveServerSettings({ maxUriLength: 4096, via: { receivedBy: 'edge-1' } });
 */
export function resolveServerSettings(options: GatewayServerOptions = {}): ServerSettings {
  const receivedBy = options.via?.receivedBy ?? 'apim-gateway';
  if (!TOKEN.test(receivedBy)) throw invalid(`via.receivedBy [${receivedBy}] must be a token (RFC 9110 §7.6.3)`);
  const maxHeaderSize = nonNegative('maxHeaderSize', options.maxHeaderSize, 16 * 1024);
  if (maxHeaderSize === 0) throw invalid('maxHeaderSize must be positive');
  const transaction = idHeader('transaction', options.transaction, 'X-Gravitee-Transaction-Id');
  const requestId = idHeader('requestId', options.requestId, 'X-Gravitee-Request-Id');
  if (transaction.lower === requestId.lower) throw invalid('transaction.header and requestId.header must differ');
  return Object.freeze({
    keepAliveTimeoutMs: nonNegative('keepAliveTimeoutMs', options.keepAliveTimeoutMs, 30_000),
    headersTimeoutMs: nonNegative('headersTimeoutMs', options.headersTimeoutMs, 30_000),
    requestTimeoutMs: nonNegative('requestTimeoutMs', options.requestTimeoutMs, 300_000),
    maxHeaderSize,
    maxUriLength: nonNegative('maxUriLength', options.maxUriLength, 8 * 1024) || Number.MAX_SAFE_INTEGER,
    maxRequestBodySize: nonNegative('maxRequestBodySize', options.maxRequestBodySize, 0),
    maxBufferedBodySize: nonNegative('maxBufferedBodySize', options.maxBufferedBodySize, 10 * 1024 * 1024),
    maxConnections: nonNegative('maxConnections', options.maxConnections, 0),
    via:
      options.via?.enabled === false
        ? undefined
        : Object.freeze({ '1.0': `1.0 ${receivedBy}`, '1.1': `1.1 ${receivedBy}`, '2': `2 ${receivedBy}` }),
    transaction,
    requestId,
    generateTraceparent: options.generateTraceparent === true,
    observer: options.observer,
  });
}
