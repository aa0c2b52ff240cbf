import type { ExecutionContext, PolicyInstance } from '@apim/core';
import { inScope } from './schema-parts.js';

/** The message a body policy reads and rewrites: the request or the response of the exchange. */
export type BodyMessage = ExecutionContext['request'] | ExecutionContext['response'];

/**
 * A request/response instance for a body policy: with a v2 `scope` it acts only in that phase, otherwise in
 * whichever phase its step is placed (v4).
 *
 * @example
 * return bodyPhases(config.scope, (exec, message) => transform(exec, message));
 */
export function bodyPhases(
  scope: 'REQUEST' | 'RESPONSE' | undefined,
  handle: (exec: ExecutionContext, message: BodyMessage) => Promise<void>,
): PolicyInstance {
  const instance: PolicyInstance = {};
  if (inScope(scope, 'REQUEST')) instance.onRequest = (exec) => handle(exec, exec.request);
  if (inScope(scope, 'RESPONSE')) instance.onResponse = (exec) => handle(exec, exec.response);
  return instance;
}

/**
 * Replaces a message body and sets its Content-Type: always when `override`, else only when it has none.
 * Framing headers (Content-Length, Transfer-Encoding) are the gateway's job when it sends a rewritten body.
 */
export function replaceBody(message: BodyMessage, body: string, contentType: string, override: boolean): void {
  message.setBody(body);
  if (override || !message.headers.has('content-type')) message.headers.set('Content-Type', contentType);
}
