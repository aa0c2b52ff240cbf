/**
 * The endpoint invoker: streams a client request to an upstream through the endpoint's undici Pool and streams the
 * response back, with backpressure both ways and no buffering.
 *
 * It drives undici's dispatcher API directly (one small handler object per request): the client aborting aborts the
 * upstream request, and the upstream failing after the response started destroys the client response.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { ApiRuntime } from './api-runtime.js';
import type { EndpointRuntime } from './endpoint-group.js';
import { failure, type GatewayErrorKey, writeFailure } from './gateway-error.js';
import { buildResponseHeaders, buildUpstreamHeaders } from './proxy-headers.js';

const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

/**
 * Maps an upstream error to its gateway key: timeouts (connect, headers, body) give
 * GATEWAY_CLIENT_CONNECTION_TIMEOUT (504), everything else (refused, reset, TLS, DNS...) GATEWAY_CLIENT_CONNECTION_ERROR
 * (502).
 */
export function upstreamErrorKey(error: unknown): GatewayErrorKey {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && TIMEOUT_CODES.has(code)
    ? 'GATEWAY_CLIENT_CONNECTION_TIMEOUT'
    : 'GATEWAY_CLIENT_CONNECTION_ERROR';
}

/** The reason given to undici when the client goes away before the exchange completes. */
class ClientClosedError extends Error {
  override readonly name = 'ClientClosedError';
  readonly code = 'GATEWAY_CLIENT_CLOSED';
}

/** Bridges one client exchange and one upstream exchange. */
class ProxyHandler implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | undefined;
  /** The upstream exchange is over (completed or failed). */
  #settled = false;
  /** The client connection closed before the upstream exchange was over. */
  #clientGone = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly api: ApiRuntime,
    private readonly endpoint: EndpointRuntime,
    private readonly logger: Logger,
  ) {
    res.once('close', () => {
      if (!this.#settled) {
        this.#clientGone = true;
        this.#controller?.abort(new ClientClosedError('client closed the connection'));
      }
      this.api.release();
    });
    res.on('drain', () => this.#controller?.resume());
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#clientGone) controller.abort(new ClientClosedError('client closed the connection'));
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
    statusMessage?: string,
  ): void {
    try {
      const responseHeaders = buildResponseHeaders(headers);
      if (statusMessage) this.res.writeHead(statusCode, statusMessage, responseHeaders);
      else this.res.writeHead(statusCode, responseHeaders);
    } catch (error) {
      // An upstream header Node refuses to send: fail the exchange as a bad gateway.
      controller.abort(error as Error);
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.res.write(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    this.#settled = true;
    this.res.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#settled = true;
    if (this.#clientGone || error instanceof ClientClosedError) return;
    if (!this.res.headersSent) {
      const failed = failure(upstreamErrorKey(error), error);
      this.logger.debug(
        { api: this.api.id, endpoint: this.endpoint.name, key: failed.key, err: error },
        'upstream call failed',
      );
      writeFailure(this.req, this.res, failed);
    } else {
      this.logger.debug({ api: this.api.id, endpoint: this.endpoint.name, err: error }, 'upstream response aborted');
      this.res.destroy(error);
    }
  }
}

/**
 * Proxies a request to an endpoint. `prefixLength` is how much of the request URL the matched context path consumes;
 * the rest (path and raw query string) is appended to the endpoint target. The API runtime is held (acquired) until the
 * client response closes.
 *
 * @example proxyRequest(req, res, route.value, route.prefixLength, endpoint, logger);
 */
export function proxyRequest(
  req: IncomingMessage,
  res: ServerResponse,
  api: ApiRuntime,
  prefixLength: number,
  endpoint: EndpointRuntime,
  logger: Logger,
): void {
  const url = req.url ?? '/';
  const path = endpoint.upstreamPath(prefixLength === 0 ? url : url.slice(prefixLength));
  const proto = (req.socket as TLSSocket).encrypted === true ? 'https' : 'http';
  const headers = buildUpstreamHeaders(req.rawHeaders, endpoint.headerContext, req.socket.remoteAddress, proto);
  const length = req.headers['content-length'];
  const hasBody = (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
  api.acquire();
  const handler = new ProxyHandler(req, res, api, endpoint, logger);
  endpoint.pool.dispatch(
    {
      path,
      method: req.method as Dispatcher.HttpMethod,
      headers,
      body: hasBody ? req : null,
      reset: !endpoint.keepAlive,
    },
    handler,
  );
}
