/**
 * The endpoint invoker: streams a client request to an upstream through the endpoint's undici Pool and streams the
 * response back, with backpressure both ways and no buffering. The {@link Exchange} is the dispatch handler.
 *
 * The path sent upstream is the target's path joined with what follows the context path: as Gravitee v4, the
 * context path is always stripped.
 */
import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import type { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Dispatcher } from 'undici';
import type { EndpointRuntime } from './endpoint-group.js';
import { BodyTooLargeError, type Exchange } from './exchange.js';
import { type GatewayPolicyRequest, rawHeadersOf } from './execution/policy-messages.js';
import { upstreamErrorKey } from './gateway-error.js';
import { buildUpstreamHeaders } from './proxy-headers.js';

export { upstreamErrorKey };

/**
 * The request body counted as it streams: throws {@link BodyTooLargeError} into the upstream call once more than
 * `limit` bytes came (the exchange then answers 413). The request is not destroyed, so the 413 can still be written.
 */
export async function* limitedBody(req: IncomingMessage, limit: number): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) throw new BodyTooLargeError(`request body larger than ${limit} bytes`);
    yield chunk;
  }
}

/**
 * Proxies an exchange to an endpoint. The rest of the URL after the matched context path (path and raw query string)
 * is appended to the endpoint target. A body without Content-Length is counted against `maxRequestBodySize`.
 *
 * With flows, `request` is the policies' view of the request: its method, and its headers, query parameters and body
 * when a policy changed them (the client's raw headers and query string are forwarded otherwise, and the client's body
 * streams unless a step buffered it).
 *
 * @example proxyRequest(exchange, endpoint);
 */
export function proxyRequest(
  exchange: Exchange,
  endpoint: EndpointRuntime,
  request?: GatewayPolicyRequest,
  /** The upstream request target chosen by a policy (dynamic routing) instead of the request's own path. */
  routedPath?: string,
): void {
  const { req, prefixLength } = exchange;
  const { settings } = exchange.context;
  const url = req.url ?? '/';
  const rest =
    request === undefined ? (prefixLength === 0 ? url : url.slice(prefixLength)) : restOf(request, url, prefixLength);
  const path = routedPath ?? endpoint.upstreamPath(rest);
  const proto = (req.socket as TLSSocket).encrypted === true ? 'https' : 'http';
  const inMemory = request?.upstreamBody;
  const headers = buildUpstreamHeaders(
    clientHeaders(req, request, inMemory),
    endpoint.headerContext,
    req.socket.remoteAddress,
    proto,
    settings,
    exchange,
  );
  // gRPC servers require `te: trailers`, dropped as hop-by-hop (the h2c dispatcher adds it itself).
  if (req.headers.te === 'trailers' && req.headers['content-type']?.startsWith('application/grpc')) {
    headers.push('te', 'trailers');
  }
  let body: Dispatcher.DispatchOptions['body'] = null;
  if (inMemory !== undefined) {
    body = inMemory.length > 0 ? inMemory : null;
  } else {
    const length = req.headers['content-length'];
    // HTTP/2 frames the body itself (RFC 9113 §8.1): a stream not ended with its headers has one, length or not.
    const h2Body =
      req.httpVersion === '2.0' && (req as unknown as Http2ServerRequest).stream?.endAfterHeaders === false;
    const hasBody =
      (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined || h2Body;
    if (hasBody) {
      // A declared Content-Length was checked against the limit already, and Node's parser enforces it.
      // undici takes async iterables as bodies; its DispatchOptions type does not list them.
      body =
        settings.maxRequestBodySize > 0 && length === undefined
          ? (limitedBody(req, settings.maxRequestBodySize) as unknown as Readable)
          : req;
    }
  }
  exchange.dispatch(endpoint, {
    origin: endpoint.origin,
    path,
    method: (request?.method ?? req.method) as Dispatcher.HttpMethod,
    headers,
    body,
    reset: !endpoint.keepAlive,
  });
}

/** What follows the context path, with the query string rebuilt only when a policy changed the parameters. */
function restOf(request: GatewayPolicyRequest, url: string, prefixLength: number): string {
  const query = request.changedQuery;
  if (query === undefined) return prefixLength === 0 ? url : url.slice(prefixLength);
  const search = new URLSearchParams();
  for (const [name, values] of query) for (const value of values) search.append(name, value);
  const text = search.toString();
  const path = request.path.slice(prefixLength);
  return text === '' ? path : `${path}?${text}`;
}

/**
 * The client headers to forward: the raw ones, or the policies' map when changed (HTTP/2 `:authority` kept for the
 * Host logic); with a body in memory, its Content-Length replaces the client's framing.
 */
function clientHeaders(
  req: IncomingMessage,
  request: GatewayPolicyRequest | undefined,
  inMemory: Buffer | undefined,
): readonly string[] {
  const changed = request?.changedHeaders;
  if (changed === undefined && inMemory === undefined) return req.rawHeaders;
  let raw: string[];
  if (changed === undefined) raw = [...req.rawHeaders];
  else {
    raw = rawHeadersOf(changed);
    const authority = req.headers[':authority'];
    if (typeof authority === 'string') raw.push(':authority', authority);
  }
  if (inMemory === undefined) return raw;
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    if (lower !== 'content-length' && lower !== 'transfer-encoding') out.push(raw[i]!, raw[i + 1]!);
  }
  if (inMemory.length > 0 || req.method !== 'GET') out.push('content-length', String(inMemory.length));
  return out;
}
