/**
 * The request path of an API with flows: build the execution context, select the flows, read the body when a
 * selected step needs it, run the request phase, then answer (interruption, mock) or proxy with what the policies
 * changed. Only APIs whose deployment has flows come here: the others never allocate a context.
 */

import type { IncomingMessage } from 'node:http';
import { ATTR_REQUEST_ENDPOINT } from '@apim/core';
import type { ApiRuntime } from '../api-runtime.js';
import type { Exchange } from '../exchange.js';
import type { CompiledFlows, FlowSelection } from '../flows/index.js';
import { failure } from '../gateway-error.js';
import { proxyRequest } from '../proxy.js';
import { FlowResponsePhase, interruptionFailure, writeExecutionResponse } from './flow-response.js';
import { GatewayExecutionContext } from './gateway-execution-context.js';
import { rawHeadersOf } from './policy-messages.js';
import { type RoutedEndpoint, resolveRoutedEndpoint } from './routed-endpoint.js';

/** Where a request with flows stands once its request phase ran. */
interface FlowRun {
  readonly exchange: Exchange;
  readonly api: ApiRuntime;
  readonly flows: CompiledFlows;
  readonly exec: GatewayExecutionContext;
  readonly selection: FlowSelection;
}

const answered = (exchange: Exchange) => exchange.res.headersSent || exchange.res.destroyed;

/**
 * Runs the flows of a request whose plan is resolved, then answers or proxies. Never throws: failures are answered.
 *
 * @example if (api.flows !== undefined) executeFlows(exchange, api, api.flows, plan.id);
 */
export function executeFlows(exchange: Exchange, api: ApiRuntime, flows: CompiledFlows, planId?: string): void {
  const exec = new GatewayExecutionContext(exchange.req, exchange, api);
  const selection = flows.select(exec.request.method, exec.request.pathInfo, () => exec.el(), planId);
  const run: FlowRun = { exchange, api, flows, exec, selection };
  // The runtime stays open (its pools, its policies) while the request phase runs, even if it is redeployed.
  exchange.hold();
  if (selection.needsRequestBody && hasBody(exchange.req)) {
    bufferRequestBody(run).then(
      (ok) => ok && requestPhase(run),
      (error: unknown) => internalError(run, error),
    );
    return;
  }
  requestPhase(run);
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/** Reads the client body once, bounded by `maxBufferedBodySize` (413 beyond); false when the exchange was answered. */
async function bufferRequestBody(run: FlowRun): Promise<boolean> {
  const { exchange } = run;
  const { req, res } = exchange;
  const { maxBufferedBodySize, maxRequestBodySize } = exchange.context.settings;
  const limit = maxRequestBodySize > 0 ? Math.min(maxRequestBodySize, maxBufferedBodySize) : maxBufferedBodySize;
  if (Number(req.headers['content-length'] ?? 0) > limit) {
    exchange.fail(failure('GATEWAY_REQUEST_BODY_TOO_LARGE'), true);
    return false;
  }
  if (exchange.expectContinue) {
    res.writeContinue();
    exchange.expectContinue = false;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) {
      exchange.fail(failure('GATEWAY_REQUEST_BODY_TOO_LARGE'), true);
      return false;
    }
    chunks.push(chunk);
  }
  if (answered(exchange)) return false;
  run.exec.request.setBuffered(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
  return true;
}

function requestPhase(run: FlowRun): void {
  let result: void | Promise<void>;
  try {
    result = run.flows.runRequest(run.exec, run.selection);
  } catch (error) {
    internalError(run, error);
    return;
  }
  if (result === undefined) afterRequest(run);
  else
    result.then(
      () => afterRequest(run),
      (error: unknown) => internalError(run, error),
    );
}

function afterRequest(run: FlowRun): void {
  const { exchange, exec, selection, api } = run;
  if (answered(exchange)) return; // timed out or the client left meanwhile
  if (exec.interruption !== undefined || exec.endpointSkipped) {
    // Response flows still run: platform ones after an interruption, all of them after a mock.
    const result = run.flows.runResponse(exec, selection);
    if (result === undefined) answer(run);
    else
      result.then(
        () => answer(run),
        (error: unknown) => internalError(run, error),
      );
    return;
  }
  // Read without building the attributes: when no policy touched them, nobody set the routing attribute.
  const override = exec.attributeIfSet(ATTR_REQUEST_ENDPOINT);
  let routed: RoutedEndpoint | undefined;
  if (typeof override === 'string' && override !== '') {
    routed = resolveRoutedEndpoint(api.endpointGroup, override);
    if (routed === undefined) {
      exchange.context.logger.warn({ api: api.id, target: override }, 'routing target is not an endpoint of the API');
      exchange.fail(failure('GATEWAY_NO_ENDPOINT_AVAILABLE'));
      return;
    }
  }
  const endpoint = routed?.endpoint ?? api.endpointGroup?.select();
  if (endpoint === undefined) {
    exchange.fail(failure('GATEWAY_NO_ENDPOINT_AVAILABLE'));
    return;
  }
  if (exchange.expectContinue) {
    exchange.res.writeContinue();
    exchange.expectContinue = false;
  }
  if (hasResponseSteps(selection)) exchange.responsePhase = new FlowResponsePhase(exchange, run.flows, exec, selection);
  else {
    // Headers the request steps set for the response (a rate limit's counters) go on the upstream's answer.
    const set = exec.response.changedHeaders;
    if (set !== undefined) exchange.policyResponseHeaders = rawHeadersOf(set);
  }
  proxyRequest(exchange, endpoint, exec.request, routed?.path);
}

function hasResponseSteps(selection: FlowSelection): boolean {
  for (const flow of selection.response) if (flow.response.length > 0) return true;
  for (const flow of selection.platformResponse) if (flow.response.length > 0) return true;
  return false;
}

/** Writes the answer of an interrupted or mocked request. */
function answer(run: FlowRun): void {
  const { exchange, exec } = run;
  if (answered(exchange)) return;
  const interruption = exec.interruption;
  if (interruption !== undefined) {
    exchange.fail(interruptionFailure(interruption));
    return;
  }
  writeExecutionResponse(exchange, exec);
}

function internalError(run: FlowRun, error: unknown): void {
  const { exchange } = run;
  exchange.context.logger.error({ err: error, api: run.api.id }, 'flow execution failed');
  if (!answered(exchange)) exchange.fail(failure('GATEWAY_INTERNAL_ERROR', error));
  else if (!exchange.res.destroyed) exchange.res.destroy();
}
