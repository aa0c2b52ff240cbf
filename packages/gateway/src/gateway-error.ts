/**
 * Gateway failures: a stable key from the error catalogue, a status and a message, written the way Gravitee does
 * (JSON `{"message","http_status_code"}` when the client accepts JSON or anything, text/plain otherwise), or shaped by
 * the API's `responseTemplates` for that key. {@link writeFailure} is the single place that turns a failure into bytes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ERROR_CATALOGUE, type ErrorCode } from '@apim/core';
import {
  type CompiledResponseTemplate,
  type CompiledResponseTemplates,
  renderTemplateBody,
  selectResponseTemplate,
  templateContentType,
} from './response-templates.js';

/** The gateway keys of the catalogue (GATEWAY_NO_CONTEXT_PATH_MATCH, GATEWAY_CLIENT_CONNECTION_ERROR, API_KEY_INVALID...). */
export type GatewayErrorKey = Extract<
  ErrorCode,
  `GATEWAY_${string}` | `API_KEY_${string}` | `JWT_${string}` | `OAUTH2_${string}` | `CORS_${string}`
>;

/** What went wrong while handling a request. */
export interface ExecutionFailure {
  /** A gateway key of the catalogue, or a policy's key (`RESOURCE_FILTERING_FORBIDDEN`) for an interruption. */
  readonly key: string;
  readonly status: number;
  readonly message: string;
  /** The underlying error (logged, never sent to the client). */
  readonly cause?: unknown;
  /** Headers of a policy interruption, a flat `[name, value, ...]` list. */
  readonly headers?: readonly string[];
  /** A policy interruption's media type: `message` is then the body as is, not JSON-wrapped. */
  readonly contentType?: string;
}

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

/**
 * A failure with the catalogue's status and message for `key`.
 *
 * @example writeFailure(req, res, failure('GATEWAY_PLAN_UNRESOLVABLE'));
 */
export function failure(key: GatewayErrorKey, cause?: unknown): ExecutionFailure & { key: GatewayErrorKey } {
  const entry = ERROR_CATALOGUE[key];
  return { key, status: entry.status, message: entry.message, cause };
}

interface Rendered {
  status: number;
  message: string;
  text: Buffer;
  json: Buffer;
}

/** Pre-rendered bodies of the catalogue messages, by key: the error path renders no body per request. */
const RENDERED = new Map<string, Rendered>();

function render(key: string, status: number, message: string): Rendered {
  const cached = RENDERED.get(key);
  if (cached !== undefined && cached.status === status && cached.message === message) return cached;
  const rendered = {
    status,
    message,
    text: Buffer.from(message),
    json: Buffer.from(JSON.stringify({ message, http_status_code: status })),
  };
  if (cached === undefined && message === ERROR_CATALOGUE[key as ErrorCode]?.message) RENDERED.set(key, rendered);
  return rendered;
}

/** Whether an Accept header value accepts JSON the way Gravitee decides it (`application/json` or `*\/*`). */
export function acceptsJson(accept: string | undefined): boolean {
  return accept !== undefined && (accept.includes('application/json') || accept.includes('*/*'));
}

/** How a failure is written besides its status and message. */
export interface FailureResponseOptions {
  /** The API's compiled response templates (none before an API is matched). */
  templates?: CompiledResponseTemplates | undefined;
  /** Headers to add (the transaction and request ids), a flat `[name, value, ...]` list. */
  headers?: readonly string[];
  /** Close the connection after the response (the request was not read to its end). 5xx always close. */
  close?: boolean;
}

/**
 * Writes a failure to the client, through the API's response template for its key when there is one. Does nothing
 * when the response has already started or the client is gone (the caller destroys the response instead). As
 * Gravitee, a 5xx closes the connection; a 4xx keeps it unless `close` is set.
 *
 * @example writeFailure(req, res, failure('GATEWAY_PLAN_UNRESOLVABLE'), { templates: api.responseTemplates });
 */
export function writeFailure(
  req: IncomingMessage,
  res: ServerResponse,
  failed: ExecutionFailure,
  options: FailureResponseOptions = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const template =
    options.templates === undefined
      ? undefined
      : selectResponseTemplate(options.templates, failed.key, req.headers.accept);
  if (template !== undefined) {
    writeTemplated(req, res, failed, template, options);
    return;
  }
  const rendered = render(failed.key, failed.status, failed.message);
  const json = failed.contentType === undefined && acceptsJson(req.headers.accept);
  const body = json ? rendered.json : rendered.text;
  const headers: string[] = failed.headers === undefined ? [] : [...failed.headers];
  headers.push(
    'content-type',
    failed.contentType ?? (json ? 'application/json' : 'text/plain'),
    'content-length',
    String(body.length),
  );
  finish(req, res, failed.status, headers, body, options);
}

function writeTemplated(
  req: IncomingMessage,
  res: ServerResponse,
  failed: ExecutionFailure,
  template: CompiledResponseTemplate,
  options: FailureResponseOptions,
): void {
  const status = template.status ?? failed.status;
  const body = renderTemplateBody(template, failed, req, status);
  const headers = failed.headers === undefined ? [...template.headers] : [...failed.headers, ...template.headers];
  if (body !== undefined && !template.hasContentType) {
    const type = templateContentType(template, req.headers.accept);
    if (type !== undefined) headers.push('content-type', type);
  }
  headers.push('content-length', String(body?.length ?? 0));
  finish(req, res, status, headers, body, options);
}

function finish(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  headers: string[],
  body: Buffer | undefined,
  options: FailureResponseOptions,
): void {
  if (options.headers !== undefined) for (const item of options.headers) headers.push(item);
  // HTTP/2 forbids connection-specific headers (RFC 9113 §8.2.2).
  if ((status >= 500 || options.close === true) && req.httpVersionMajor < 2) headers.push('connection', 'close');
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

const NOT_FOUND = render(
  'GATEWAY_NO_CONTEXT_PATH_MATCH',
  ERROR_CATALOGUE.GATEWAY_NO_CONTEXT_PATH_MATCH.status,
  ERROR_CATALOGUE.GATEWAY_NO_CONTEXT_PATH_MATCH.message,
);

/** The 404 of a request no API listens to: always text/plain, as Gravitee's not-found handler. */
export function writeNoContextPathMatch(
  req: IncomingMessage,
  res: ServerResponse,
  extraHeaders: readonly string[] = [],
): void {
  if (res.headersSent || res.destroyed) return;
  const headers = ['content-type', 'text/plain', 'content-length', String(NOT_FOUND.text.length), ...extraHeaders];
  res.writeHead(404, headers);
  res.end(req.method === 'HEAD' ? undefined : NOT_FOUND.text);
}
