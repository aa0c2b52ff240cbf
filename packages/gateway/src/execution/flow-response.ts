/**
 * The response phase of an API with flows. Headers-only steps run when the upstream's headers arrive and the body
 * streams through after them; when a selected step needs the body, it is buffered (bounded by `maxBufferedBodySize`),
 * the steps run, and the response is written whole with a recomputed Content-Length.
 */
import type { Interruption } from '@apim/core';
import type { Dispatcher } from 'undici';
import type { Exchange } from '../exchange.js';
import type { CompiledFlows, FlowSelection } from '../flows/index.js';
import { type ExecutionFailure, failure } from '../gateway-error.js';
import { buildResponseHeaders, type UpstreamResponseHeaders } from '../proxy-headers.js';
import type { GatewayExecutionContext } from './gateway-execution-context.js';

/** Thrown into the upstream call when its body passes `maxBufferedBodySize` (answered 502). */
export class ResponseBodyTooLargeError extends Error {
  override readonly name = 'ResponseBodyTooLargeError';
}

/** The answer of a policy interruption, through the failure path (and the API's response templates). */
export function interruptionFailure(interruption: Interruption, extraHeaders?: readonly string[]): ExecutionFailure {
  const headers: string[] = extraHeaders === undefined ? [] : [...extraHeaders];
  if (interruption.headers !== undefined)
    for (const [name, value] of Object.entries(interruption.headers)) headers.push(name, value);
  return {
    key: interruption.key,
    status: interruption.status,
    message: interruption.message,
    ...(headers.length > 0 ? { headers } : {}),
    ...(interruption.contentType === undefined ? {} : { contentType: interruption.contentType }),
  };
}

/** Writes `exec.response` (a mock's answer, or a buffered upstream response after the response flows). */
export function writeExecutionResponse(exchange: Exchange, exec: GatewayExecutionContext): void {
  const { req, res } = exchange;
  if (res.headersSent || res.destroyed) return;
  const { response } = exec;
  const record = { ...response.headerRecord() };
  delete record['content-length'];
  delete record['transfer-encoding'];
  const headers = buildResponseHeaders(record, exchange.context.settings, exchange);
  const body = response.currentBody;
  headers.push('content-length', String(body?.length ?? 0));
  try {
    res.writeHead(response.status, headers);
  } catch (error) {
    exchange.context.logger.debug({ err: error }, 'invalid response written by the flows');
    exchange.fail(failure('GATEWAY_INTERNAL_ERROR', error));
    return;
  }
  res.end(req.method === 'HEAD' ? undefined : body);
}

const STREAMING = 0;
/** Headers-only steps are running asynchronously: chunks wait. */
const WAITING = 1;
const BUFFERING = 2;

/** The exchange's response handling while response steps are selected (see {@link Exchange.responsePhase}). */
export class FlowResponsePhase {
  readonly #exchange: Exchange;
  readonly #flows: CompiledFlows;
  readonly #exec: GatewayExecutionContext;
  readonly #selection: FlowSelection;
  #mode = STREAMING;
  #chunks: Buffer[] = [];
  #size = 0;
  #ended = false;

  constructor(exchange: Exchange, flows: CompiledFlows, exec: GatewayExecutionContext, selection: FlowSelection) {
    this.#exchange = exchange;
    this.#flows = flows;
    this.#exec = exec;
    this.#selection = selection;
  }

  start(controller: Dispatcher.DispatchController, status: number, headers: UpstreamResponseHeaders): void {
    this.#exec.response.setUpstream(status, headers);
    if (this.#selection.needsResponseBody) {
      this.#mode = BUFFERING;
      return;
    }
    const result = this.#run();
    if (result === undefined) {
      this.#writeHead(controller);
      return;
    }
    this.#mode = WAITING;
    controller.pause();
    result.then(() => {
      if (!this.#writeHead(controller)) return;
      this.#mode = STREAMING;
      const { res } = this.#exchange;
      for (const chunk of this.#chunks) res.write(chunk);
      this.#chunks = [];
      if (this.#ended) res.end();
      else controller.resume();
    });
  }

  data(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#mode === STREAMING) {
      if (!this.#exchange.res.write(chunk)) controller.pause();
      return;
    }
    this.#size += chunk.length;
    if (this.#mode === BUFFERING && this.#size > this.#exchange.context.settings.maxBufferedBodySize) {
      controller.abort(new ResponseBodyTooLargeError('upstream response body larger than maxBufferedBodySize'));
      return;
    }
    this.#chunks.push(chunk);
  }

  end(): void {
    if (this.#mode === WAITING) {
      this.#ended = true;
      return;
    }
    if (this.#mode === STREAMING) {
      this.#exchange.res.end();
      return;
    }
    const response = this.#exec.response;
    response.setBody(this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#size));
    this.#chunks = [];
    const result = this.#run();
    if (result === undefined) this.#writeWhole();
    else result.then(() => this.#writeWhole());
  }

  /** Runs the response flows; never rejects (the chain routes failures to interruptions). */
  #run(): Promise<void> | undefined {
    try {
      const result = this.#flows.runResponse(this.#exec, this.#selection);
      return result === undefined ? undefined : result.catch((error: unknown) => this.#failed(error));
    } catch (error) {
      this.#failed(error);
      return undefined;
    }
  }

  #failed(error: unknown): void {
    this.#exchange.context.logger.error({ err: error }, 'response flows failed');
    this.#exec.interrupt({ status: 500, key: 'GATEWAY_INTERNAL_ERROR', message: 'Internal Server Error' });
  }

  /** Writes the (possibly changed) status and headers; false when the exchange was answered otherwise. */
  #writeHead(controller: Dispatcher.DispatchController): boolean {
    const exchange = this.#exchange;
    const { res } = exchange;
    if (res.headersSent || res.destroyed) return false;
    const interruption = this.#exec.interruption;
    if (interruption !== undefined) {
      exchange.abortWith(interruptionFailure(interruption));
      return false;
    }
    const { response } = this.#exec;
    try {
      res.writeHead(
        response.status,
        buildResponseHeaders(response.headerRecord(), exchange.context.settings, exchange),
      );
    } catch (error) {
      controller.abort(error as Error);
      return false;
    }
    return true;
  }

  #writeWhole(): void {
    const exchange = this.#exchange;
    const interruption = this.#exec.interruption;
    if (interruption !== undefined) exchange.fail(interruptionFailure(interruption));
    else writeExecutionResponse(exchange, this.#exec);
  }
}
