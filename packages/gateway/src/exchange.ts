/**
 * One client exchange through the gateway: its ids, what the request path resolved (API, plan, endpoint), the
 * upstream call (the exchange is the undici dispatch handler: one object per request), the failure answer, and the
 * report to the observer once the response is over.
 *
 * Streaming both ways with backpressure: the client aborting aborts the upstream request, and the upstream failing
 * after the response started destroys the client response.
 *
 * With the API's `failover`, a call that fails before the upstream answered (connection error, timeout, or no
 * response headers within `slowCallDuration`) is retried on the next endpoint, up to `maxRetries` times, when the
 * request has no body; each outcome feeds the endpoint's circuit breaker.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { ApiRuntime } from './api-runtime.js';
import type { CompiledCors } from './cors.js';
import type { EndpointRuntime } from './endpoint-group.js';
import type { FlowResponsePhase } from './execution/flow-response.js';
import {
  type ExecutionFailure,
  failure,
  type GatewayErrorKey,
  upstreamErrorKey,
  writeFailure,
  writeNoContextPathMatch,
} from './gateway-error.js';
import { type PlanResolution, withoutQueryParam } from './plan-resolver.js';
import { buildResponseHeaders, isValidTraceparent, newTraceparent, type RequestIds } from './proxy-headers.js';
import type { KnownSubscription } from './security/subscription-registry.js';
import type { ServerSettings } from './server-options.js';

const kExchange = Symbol('apim.exchange');

interface Carrier {
  [kExchange]?: Exchange | undefined;
}

/** The exchange in progress on a client connection, if any. */
export function exchangeOf(socket: object): Exchange | undefined {
  return (socket as Carrier)[kExchange];
}

/** The exchange answering a response (HTTP/2 streams share their session's socket, so they are found this way). */
export function exchangeOfResponse(res: object): Exchange | undefined {
  return (res as Carrier)[kExchange];
}

/** The reason given to undici when the client goes away before the exchange completes. */
export class ClientClosedError extends Error {
  override readonly name = 'ClientClosedError';
  readonly code = 'GATEWAY_CLIENT_CLOSED';
}

/** The reason given to undici when the gateway answered the client itself (timeout, malformed body). */
class AnsweredByGatewayError extends Error {
  override readonly name = 'AnsweredByGatewayError';
}

/** Thrown into the upstream call when a streamed request body passes `maxRequestBodySize`. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  readonly code = 'GATEWAY_REQUEST_BODY_TOO_LARGE';
}

/** The reason given to undici when an endpoint sends no response headers within the failover's `slowCallDuration`. */
export class SlowCallError extends Error {
  override readonly name = 'SlowCallError';
  /** A timeout: answered 504 when no retry is left. */
  readonly code = 'ETIMEDOUT';
}

function onSlowCall(exchange: Exchange): void {
  exchange.slowCall();
}

function redispatch(exchange: Exchange, endpoint: EndpointRuntime): void {
  exchange.retry(endpoint);
}

/** What every exchange of a server shares. */
export interface ExchangeContext {
  readonly settings: ServerSettings;
  readonly logger: Logger;
}

const IDLE = 0;
const DISPATCHED = 1;
const SETTLED = 2;

function onResponseClose(this: ServerResponse): void {
  (this as Carrier)[kExchange]?.closed();
}

function onResponseDrain(this: ServerResponse): void {
  (this as Carrier)[kExchange]?.resume();
}

/** The state of one request, from its arrival to the end of its response. */
export class Exchange implements Dispatcher.DispatchHandler, RequestIds {
  readonly startedAt = performance.now();
  readonly requestId: string = randomUUID();
  readonly transactionId: string;
  readonly httpVersion: string;
  readonly traceparent: string | undefined;
  readonly traceparentGenerated: boolean;
  api: ApiRuntime | undefined = undefined;
  /** How much of the request URL the matched context path consumes. */
  prefixLength = 0;
  planId: string | undefined = undefined;
  /** Set when the plan has subscriptions (API key...): who is calling. */
  subscription: KnownSubscription | undefined = undefined;
  /** The API key that selected the plan (context attribute `api-key`). */
  apiKey: string | undefined = undefined;
  /** Lowercase name of a request header not to forward (the API key, unless the plan propagates it). */
  strippedHeader: string | undefined = undefined;
  /** Headers request-phase policies set for the response (a rate limit's counters), added to the upstream's answer. */
  policyResponseHeaders: string[] | undefined = undefined;
  /** The CORS headers of every answer to this request (an allowed origin of an API with CORS). */
  corsHeaders: string[] | undefined = undefined;
  /** Context attributes the credentials gave (`jwt.claims`, `user-id`...). */
  securityAttributes: Readonly<Record<string, unknown>> | undefined = undefined;
  endpoint: EndpointRuntime | undefined = undefined;
  /** The gateway key (or a policy's interruption key) when the gateway produced the answer. */
  errorKey: string | undefined = undefined;
  /** Set when the selected flows have response steps: it receives the upstream response instead of the client. */
  responsePhase: FlowResponsePhase | undefined = undefined;
  /** The client asked for `100 Continue` and has not been told yet. */
  expectContinue = false;
  endpointDurationMs = -1;
  #dispatchedAt = 0;
  #state = IDLE;
  #controller: Dispatcher.DispatchController | undefined = undefined;
  #pendingAbort: Error | undefined = undefined;
  #acquired = false;
  /** Failover only: the dispatch options kept for a retry, the retries done, the slow-call timer. */
  #options: Dispatcher.DispatchOptions | undefined = undefined;
  #retries = 0;
  #slowTimer: NodeJS.Timeout | undefined = undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly context: ExchangeContext,
  ) {
    const { settings } = context;
    const clientTransaction = req.headers[settings.transaction.lower];
    this.transactionId =
      typeof clientTransaction === 'string' && clientTransaction !== '' ? clientTransaction : this.requestId;
    this.httpVersion = req.httpVersion;
    if (settings.generateTraceparent) {
      const given = req.headers.traceparent;
      const valid = typeof given === 'string' && isValidTraceparent(given);
      this.traceparent = valid ? given : newTraceparent();
      this.traceparentGenerated = !valid;
    } else {
      this.traceparent = undefined;
      this.traceparentGenerated = false;
    }
    (res as Carrier)[kExchange] = this;
    (req.socket as Carrier)[kExchange] = this;
    res.on('close', onResponseClose);
  }

  /**
   * Records who the plan resolution identified; an API key that must not travel upstream is taken out of the
   * forwarded headers or query string.
   */
  authorized(resolution: PlanResolution): void {
    this.subscription = resolution.subscription;
    this.apiKey = resolution.apiKey;
    this.strippedHeader = resolution.stripHeader;
    this.securityAttributes = resolution.attributes;
    if (resolution.stripQueryParam !== undefined) {
      this.req.url = withoutQueryParam(this.req.url ?? '/', resolution.stripQueryParam);
    }
  }

  /** The client presented a certificate the listener's trust store verified (mTLS); false over cleartext. */
  get clientAuthorized(): boolean {
    return (this.req.socket as { authorized?: boolean } | null)?.authorized === true;
  }

  /** The id headers every gateway answer carries (and the CORS ones), a flat `[name, value, ...]` list. */
  idHeaders(): string[] {
    const { transaction, requestId } = this.context.settings;
    const headers = [transaction.name, this.transactionId, requestId.name, this.requestId];
    if (this.traceparent !== undefined) headers.push('traceparent', this.traceparent);
    if (this.corsHeaders !== undefined) for (const item of this.corsHeaders) headers.push(item);
    return headers;
  }

  /** Answers a CORS preflight: 204 with the CORS headers, or 400 CORS_PREFLIGHT_FAILED. */
  answerPreflight(cors: CompiledCors): void {
    const headers = cors.preflight(this.req);
    if (headers === undefined) {
      this.fail(failure('CORS_PREFLIGHT_FAILED'));
      return;
    }
    for (const item of this.idHeaders()) headers.push(item);
    headers.push('content-length', '0');
    this.res.writeHead(204, headers);
    this.res.end();
  }

  /** Answers the client with a failure (through the API's response templates once an API is matched). */
  fail(failed: ExecutionFailure, close = false): void {
    this.errorKey = failed.key;
    writeFailure(this.req, this.res, failed, {
      templates: this.api?.responseTemplates,
      headers: this.idHeaders(),
      // A final answer to an unanswered `Expect: 100-continue` leaves the body unread (RFC 9110 §10.1.1).
      close: close || this.expectContinue,
    });
  }

  /** Answers the 404 of a request no API listens to. */
  notFound(): void {
    this.errorKey = 'GATEWAY_NO_CONTEXT_PATH_MATCH';
    writeNoContextPathMatch(this.req, this.res, this.idHeaders());
  }

  /**
   * The gateway answers the client itself while the exchange is in progress (request timeout, malformed body): the
   * upstream call is aborted, the failure written with `Connection: close`, or the response destroyed if it started.
   */
  abortWith(failed: ExecutionFailure): void {
    const upstream = this.#state === DISPATCHED;
    this.#state = SETTLED;
    if (!this.res.headersSent && !this.res.destroyed && this.req.socket.writable) this.fail(failed, true);
    else {
      this.errorKey ??= failed.key;
      this.res.destroy();
    }
    if (upstream) this.#abortUpstream(new AnsweredByGatewayError(failed.message));
  }

  /** Keeps the API's runtime open until the exchange completes (flows running before the endpoint is called). */
  hold(): void {
    if (this.#acquired || this.api === undefined) return;
    this.api.acquire();
    this.#acquired = true;
  }

  /** Calls the endpoint: the exchange receives the upstream response. */
  dispatch(endpoint: EndpointRuntime, options: Dispatcher.DispatchOptions): void {
    this.hold();
    this.#state = DISPATCHED;
    this.res.on('drain', onResponseDrain);
    // Only a request without a body can be sent again (Gravitee v4 failover retries requests without body).
    if (this.api?.failover !== undefined) this.#options = options;
    this.#send(endpoint, options);
  }

  #send(endpoint: EndpointRuntime, options: Dispatcher.DispatchOptions): void {
    this.endpoint = endpoint;
    this.#controller = undefined;
    this.#pendingAbort = undefined;
    endpoint.circuit?.onDispatch();
    this.#dispatchedAt = performance.now();
    const slowCallDuration = this.api?.failover?.slowCallDuration ?? 0;
    if (slowCallDuration > 0) this.#slowTimer = setTimeout(onSlowCall, slowCallDuration, this);
    endpoint.dispatcher.dispatch(options, this);
  }

  /** @internal No response headers within `slowCallDuration`: the call is abandoned (a failure, maybe retried). */
  slowCall(): void {
    this.#slowTimer = undefined;
    if (this.#state === DISPATCHED) this.#abortUpstream(new SlowCallError('slow call abandoned (failover)'));
  }

  /** @internal Sends the request again to another endpoint after a failure (failover). */
  retry(endpoint: EndpointRuntime): void {
    if (this.#state !== DISPATCHED) return; // the client left or the gateway answered meanwhile
    this.#send(endpoint, this.#options!);
  }

  /** The next endpoint to try after a failure, or undefined when the failure is final. */
  #retryTarget(error: Error): EndpointRuntime | undefined {
    const failover = this.api?.failover;
    const options = this.#options;
    if (failover === undefined || options === undefined || this.#retries >= failover.maxRetries) return undefined;
    if (options.body !== null && options.body !== undefined) return undefined;
    if (this.res.headersSent || error instanceof BodyTooLargeError) return undefined;
    return this.api!.endpointGroup?.selectOther(this.endpoint!);
  }

  #clearSlowTimer(): void {
    if (this.#slowTimer !== undefined) {
      clearTimeout(this.#slowTimer);
      this.#slowTimer = undefined;
    }
  }

  /** @internal The client response drained: resume the upstream body. */
  resume(): void {
    this.#controller?.resume();
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#pendingAbort !== undefined) controller.abort(this.#pendingAbort);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
    statusMessage?: string,
  ): void {
    this.endpointDurationMs = performance.now() - this.#dispatchedAt;
    this.#clearSlowTimer();
    this.endpoint?.circuit?.onSuccess();
    if (this.#state !== DISPATCHED) return;
    if (this.responsePhase !== undefined) {
      this.responsePhase.start(controller, statusCode, headers);
      return;
    }
    try {
      const responseHeaders = buildResponseHeaders(headers, this.context.settings, this);
      // HTTP/2 has no reason phrase (RFC 9113 §8.3.2).
      if (statusMessage && this.httpVersion !== '2.0') this.res.writeHead(statusCode, statusMessage, responseHeaders);
      else this.res.writeHead(statusCode, responseHeaders);
    } catch (error) {
      // An upstream header Node refuses to send: fail the exchange as a bad gateway.
      controller.abort(error as Error);
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#state !== DISPATCHED) return;
    if (this.responsePhase !== undefined) this.responsePhase.data(controller, chunk);
    else if (!this.res.write(chunk)) controller.pause();
  }

  onResponseEnd(
    _controller?: Dispatcher.DispatchController,
    trailers?: Record<string, string | string[] | undefined>,
  ): void {
    if (this.#state !== DISPATCHED) return;
    this.#state = SETTLED;
    if (this.responsePhase !== undefined) this.responsePhase.end();
    else {
      // HTTP/2 upstream trailers (gRPC's grpc-status / grpc-message) go to HTTP/2 clients.
      if (trailers !== undefined && this.httpVersion === '2.0' && Object.keys(trailers).length > 0) {
        this.res.addTrailers(trailers as Record<string, string | string[]>);
      }
      this.res.end();
    }
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#clearSlowTimer();
    if (this.#state !== DISPATCHED) return; // aborted by the gateway: the client is gone or already answered
    const { circuit } = this.endpoint!;
    if (circuit !== undefined && !this.res.headersSent) circuit.onFailure();
    const next = this.#retryTarget(error);
    if (next !== undefined) {
      this.#retries++;
      this.context.logger.debug(
        { api: this.api?.id, endpoint: this.endpoint?.name, next: next.name, err: error },
        'upstream call failed, retrying on the next endpoint',
      );
      // Out of undici's callback: the failed dispatch is fully over before the next one starts.
      process.nextTick(redispatch, this, next);
      return;
    }
    this.#state = SETTLED;
    const tooLarge = error instanceof BodyTooLargeError || error.cause instanceof BodyTooLargeError;
    const key: GatewayErrorKey = tooLarge ? 'GATEWAY_REQUEST_BODY_TOO_LARGE' : upstreamErrorKey(error);
    const { logger } = this.context;
    if (!this.res.headersSent && !this.res.destroyed) {
      logger.debug({ api: this.api?.id, endpoint: this.endpoint?.name, key, err: error }, 'upstream call failed');
      this.fail(failure(key, error), tooLarge);
    } else {
      logger.debug({ api: this.api?.id, endpoint: this.endpoint?.name, err: error }, 'upstream response aborted');
      this.errorKey = key;
      this.res.destroy(error);
    }
  }

  /** @internal The client response is over (finished or connection closed): release, then report. */
  closed(): void {
    if (this.#state === DISPATCHED) {
      this.#state = SETTLED;
      this.#clearSlowTimer();
      this.endpoint?.circuit?.onCancel();
      this.#abortUpstream(new ClientClosedError('client closed the connection'));
    }
    if (this.#acquired) {
      this.#acquired = false;
      this.api!.release();
    }
    const socket = this.req.socket as Carrier | null;
    if (socket !== null && socket[kExchange] === this) socket[kExchange] = undefined;
    const observer = this.context.settings.observer;
    if (observer === undefined) return;
    const { req, res, api } = this;
    try {
      observer.requestCompleted({
        apiId: api?.id,
        planId: this.planId,
        applicationId: this.subscription?.applicationId,
        subscriptionId: this.subscription?.id,
        endpoint: this.endpoint?.name,
        method: req.method ?? '',
        status: res.headersSent ? res.statusCode : 0,
        errorKey: this.errorKey,
        durationMs: performance.now() - this.startedAt,
        endpointDurationMs: this.endpointDurationMs,
        aborted: !res.writableFinished,
        mappedPath: api?.pathMappings?.match(req.url ?? '/', this.prefixLength),
      });
    } catch (error) {
      this.context.logger.error({ err: error }, 'request observer failed');
    }
  }

  #abortUpstream(reason: Error): void {
    if (this.#controller !== undefined) this.#controller.abort(reason);
    else this.#pendingAbort = reason;
  }
}
