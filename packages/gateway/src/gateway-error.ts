/**
 * Gateway failures: a stable key from the error catalogue, a status and a message, written the way Gravitee does
 * (JSON `{"message","http_status_code"}` when the client accepts JSON or anything, text/plain otherwise).
 *
 * The key travels with the failure so that the API's `responseTemplates` (per key and media type) can shape the
 * response in a later slice: {@link writeFailure} is the single place that turns a failure into bytes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ERROR_CATALOGUE, type ErrorCode } from '@apim/core';

/** The gateway keys of the catalogue (GATEWAY_NO_CONTEXT_PATH_MATCH, GATEWAY_CLIENT_CONNECTION_ERROR...). */
export type GatewayErrorKey = Extract<ErrorCode, `GATEWAY_${string}`>;

/** What went wrong while handling a request. */
export interface ExecutionFailure {
  readonly key: GatewayErrorKey;
  readonly status: number;
  readonly message: string;
  /** The underlying error (logged, never sent to the client). */
  readonly cause?: unknown;
}

/**
 * A failure with the catalogue's status and message for `key`.
 *
 * @example writeFailure(req, res, failure('GATEWAY_PLAN_UNRESOLVABLE'));
 */
export function failure(key: GatewayErrorKey, cause?: unknown): ExecutionFailure {
  const entry = ERROR_CATALOGUE[key];
  return { key, status: entry.status, message: entry.message, cause };
}

interface Rendered {
  text: Buffer;
  json: Buffer;
}

/** Pre-rendered bodies of the catalogue messages: the error path allocates no string per request. */
const RENDERED = new Map<string, Rendered>();

function render(status: number, message: string): Rendered {
  const cacheKey = `${status} ${message}`;
  let rendered = RENDERED.get(cacheKey);
  if (rendered === undefined) {
    rendered = {
      text: Buffer.from(message),
      json: Buffer.from(JSON.stringify({ message, http_status_code: status })),
    };
    if (RENDERED.size < 256) RENDERED.set(cacheKey, rendered);
  }
  return rendered;
}

/** Whether an Accept header value accepts JSON the way Gravitee decides it (`application/json` or `*\/*`). */
export function acceptsJson(accept: string | undefined): boolean {
  return accept !== undefined && (accept.includes('application/json') || accept.includes('*/*'));
}

/**
 * Writes a failure to the client. Does nothing when the response has already started or the client is gone (the
 * caller destroys the response instead). As Gravitee, a 5xx closes the connection; a 4xx keeps it.
 */
export function writeFailure(req: IncomingMessage, res: ServerResponse, failed: ExecutionFailure): void {
  if (res.headersSent || res.destroyed) return;
  const rendered = render(failed.status, failed.message);
  const json = acceptsJson(req.headers.accept);
  const body = json ? rendered.json : rendered.text;
  const headers: string[] = [
    'content-type',
    json ? 'application/json' : 'text/plain',
    'content-length',
    String(body.length),
  ];
  if (failed.status >= 500) headers.push('connection', 'close');
  res.writeHead(failed.status, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

const NOT_FOUND = render(
  ERROR_CATALOGUE.GATEWAY_NO_CONTEXT_PATH_MATCH.status,
  ERROR_CATALOGUE.GATEWAY_NO_CONTEXT_PATH_MATCH.message,
);

/** The 404 of a request no API listens to: always text/plain, as Gravitee's not-found handler. */
export function writeNoContextPathMatch(req: IncomingMessage, res: ServerResponse): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(404, ['content-type', 'text/plain', 'content-length', String(NOT_FOUND.text.length)]);
  res.end(req.method === 'HEAD' ? undefined : NOT_FOUND.text);
}
