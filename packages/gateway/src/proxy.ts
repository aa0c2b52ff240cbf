/**
 * The endpoint invoker: streams a client request to an upstream through the endpoint's undici Pool and streams the
 * response back, with backpressure both ways and no buffering. The {@link Exchange} is the dispatch handler.
 *
 * The path sent upstream is the target's path joined with what follows the context path: as Gravitee v4, the
 * context path is always stripped.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Dispatcher } from 'undici';
import type { EndpointRuntime } from './endpoint-group.js';
import { BodyTooLargeError, type Exchange } from './exchange.js';
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
 * @example proxyRequest(exchange, endpoint);
 */
export function proxyRequest(exchange: Exchange, endpoint: EndpointRuntime): void {
  const { req, prefixLength } = exchange;
  const { settings } = exchange.context;
  const url = req.url ?? '/';
  const path = endpoint.upstreamPath(prefixLength === 0 ? url : url.slice(prefixLength));
  const proto = (req.socket as TLSSocket).encrypted === true ? 'https' : 'http';
  const headers = buildUpstreamHeaders(
    req.rawHeaders,
    endpoint.headerContext,
    req.socket.remoteAddress,
    proto,
    settings,
    exchange,
  );
  const length = req.headers['content-length'];
  const hasBody = (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
  let body: Dispatcher.DispatchOptions['body'] = null;
  if (hasBody) {
    // A declared Content-Length was checked against the limit already, and Node's parser enforces it.
    // undici takes async iterables as bodies; its DispatchOptions type does not list them.
    body =
      settings.maxRequestBodySize > 0 && length === undefined
        ? (limitedBody(req, settings.maxRequestBodySize) as unknown as Readable)
        : req;
  }
  exchange.dispatch(endpoint, {
    origin: endpoint.origin,
    path,
    method: req.method as Dispatcher.HttpMethod,
    headers,
    body,
    reset: !endpoint.keepAlive,
  });
}
