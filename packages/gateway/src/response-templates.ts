/**
 * An API's response templates (`responseTemplates`: error key -> accepted media type -> status, headers, body),
 * compiled at deploy time, chosen per failure the way Gravitee's ResponseTemplateBasedFailureProcessor does: the
 * failure's key (else `DEFAULT`), then the client's accepted media types by quality (RFC 9110 §12.5.1,
 * https://www.rfc-editor.org/rfc/rfc9110#section-12.5.1), then the wildcard template (`*\/*`, or `*.*` as older
 * consoles wrote it).
 */
import { type IncomingMessage, validateHeaderName, validateHeaderValue } from 'node:http';
import {
  type CompiledTemplate,
  compileTemplate,
  createElContext,
  evaluateToString,
  type ResponseTemplates,
  validateTemplate,
} from '@apim/core';
import type { ExecutionFailure } from './gateway-error.js';

/** One template, ready to write. */
export interface CompiledResponseTemplate {
  /** Status replacing the failure's, when set. */
  readonly status: number | undefined;
  /** Headers of the template, a flat `[name, value, ...]` list. */
  readonly headers: readonly string[];
  /** The template's headers set Content-Type. */
  readonly hasContentType: boolean;
  /** The media type the template is registered under; undefined for the wildcard template. */
  readonly mediaType: string | undefined;
  /** The body as written in the definition (a Gravitee EL template); undefined or empty: no body. */
  readonly body: string | undefined;
  /** The body's bytes, rendered literally. */
  readonly literal: Buffer | undefined;
  /** The body compiled as an EL template when it has expression blocks (`{#error.message}`). */
  readonly compiled: CompiledTemplate | undefined;
}

interface TemplatesOfKey {
  readonly byMediaType: ReadonlyMap<string, CompiledResponseTemplate>;
  readonly wildcard: CompiledResponseTemplate | undefined;
}

/** The compiled templates of an API, by error key. */
export type CompiledResponseTemplates = ReadonlyMap<string, TemplatesOfKey>;

const DEFAULT_KEY = 'DEFAULT';
/** Framing headers the gateway computes itself. */
const FRAMING: ReadonlySet<string> = new Set(['content-length', 'transfer-encoding', 'connection']);
const WILDCARDS: ReadonlySet<string> = new Set(['*/*', '*.*']);

/**
 * Compiles the templates of a definition; undefined when it has none. Invalid headers are skipped and reported.
 *
 * @example compileResponseTemplates(api.responseTemplates, (message) => logger.warn(message));
 */
export function compileResponseTemplates(
  templates: ResponseTemplates | undefined,
  warn: (message: string) => void = () => undefined,
): CompiledResponseTemplates | undefined {
  if (templates === undefined) return undefined;
  const compiled = new Map<string, TemplatesOfKey>();
  for (const [key, byType] of Object.entries(templates)) {
    const byMediaType = new Map<string, CompiledResponseTemplate>();
    let wildcard: CompiledResponseTemplate | undefined;
    for (const [type, template] of Object.entries(byType)) {
      const mediaType = type.trim().toLowerCase();
      const headers: string[] = [];
      let hasContentType = false;
      for (const [name, value] of Object.entries(template.headers ?? {})) {
        try {
          validateHeaderName(name);
          validateHeaderValue(name, value);
          if (FRAMING.has(name.toLowerCase())) throw new Error('framing header');
        } catch {
          warn(`response template [${key}][${type}]: header [${name}] is invalid or reserved and skipped`);
          continue;
        }
        headers.push(name, value);
        if (name.toLowerCase() === 'content-type') hasContentType = true;
      }
      const body = template.body === undefined || template.body === '' ? undefined : template.body;
      const compiled =
        body === undefined
          ? undefined
          : compileBody(body, (message) => {
              warn(`response template [${key}][${type}]: ${message}; the body is sent as written`);
            });
      const entry: CompiledResponseTemplate = Object.freeze({
        status: template.status,
        headers: Object.freeze(headers),
        hasContentType,
        mediaType: WILDCARDS.has(mediaType) ? undefined : mediaType,
        body,
        literal: body === undefined ? undefined : Buffer.from(body),
        compiled,
      });
      if (entry.mediaType === undefined) wildcard = entry;
      else byMediaType.set(mediaType, entry);
    }
    compiled.set(key, { byMediaType, wildcard });
  }
  return compiled.size === 0 ? undefined : compiled;
}

/**
 * The template for a failure key and a client's Accept header, or undefined (the gateway's default answer).
 *
 * @example selectResponseTemplate(api.responseTemplates, 'GATEWAY_CLIENT_CONNECTION_ERROR', req.headers.accept);
 */
export function selectResponseTemplate(
  templates: CompiledResponseTemplates,
  key: string,
  accept: string | undefined,
): CompiledResponseTemplate | undefined {
  const ofKey = templates.get(key) ?? templates.get(DEFAULT_KEY);
  if (ofKey === undefined) return undefined;
  if (accept !== undefined && ofKey.byMediaType.size > 0) {
    for (const type of acceptedMediaTypes(accept)) {
      const template = ofKey.byMediaType.get(type);
      if (template !== undefined) return template;
    }
  }
  return ofKey.wildcard;
}

/**
 * The media ranges of an Accept header, lowercased without parameters, by decreasing quality (stable for equal
 * qualities); ranges with `q=0` are left out.
 */
export function acceptedMediaTypes(accept: string): string[] {
  const ranges: { type: string; q: number }[] = [];
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.split(';');
    const name = type.trim().toLowerCase();
    if (name === '') continue;
    let q = 1;
    for (const param of params) {
      const [key, value] = param.split('=');
      if (key?.trim().toLowerCase() === 'q' && value !== undefined) q = Number(value.trim());
    }
    if (Number.isNaN(q) || q > 0) ranges.push({ type: name, q: Number.isNaN(q) ? 1 : q });
  }
  return ranges.sort((a, b) => b.q - a.q).map((range) => range.type);
}

/**
 * The Content-Type of a templated body when the template's headers set none: the media type the template is
 * registered under, else (wildcard template) the client's Accept when it names one concrete media type, as Gravitee
 * sets Content-Type from Accept.
 */
export function templateContentType(
  template: CompiledResponseTemplate,
  accept: string | undefined,
): string | undefined {
  if (template.mediaType !== undefined) return template.mediaType.includes('*') ? undefined : template.mediaType;
  if (accept === undefined || accept.includes(',') || accept.includes('*')) return undefined;
  const type = accept.split(';')[0]!.trim();
  return type.includes('/') ? type : undefined;
}

/** The template's body compiled once, or undefined when it is literal or its EL is invalid (reported). */
function compileBody(body: string, warn: (message: string) => void): CompiledTemplate | undefined {
  const check = validateTemplate(body);
  if (!check.ok) {
    warn(`invalid EL at position ${check.position}: ${check.message}`);
    return undefined;
  }
  const compiled = compileTemplate(body);
  return compiled.isLiteral ? undefined : compiled;
}

/**
 * Renders a template's body for a failure: a body with expression blocks is evaluated (compiled at deploy time) with
 * `#error` (`key`, `message`, `status`), `#request` (method, path, headers, params) and `#response.status`; a
 * literal body is sent as is. An evaluation error falls back to the literal body.
 *
 * @example renderTemplateBody(template, failure('GATEWAY_PLAN_UNRESOLVABLE'), req, 401);
 */
export function renderTemplateBody(
  template: CompiledResponseTemplate,
  failed: ExecutionFailure,
  req?: IncomingMessage,
  status: number = failed.status,
): Buffer | undefined {
  if (template.compiled === undefined) return template.literal;
  const url = req?.url ?? '/';
  const query = url.indexOf('?');
  const context = createElContext({
    request:
      req === undefined
        ? {}
        : {
            method: req.method ?? 'GET',
            path: query < 0 ? url : url.slice(0, query),
            headers: () => req.headers,
            params: () => new URLSearchParams(query < 0 ? '' : url.slice(query + 1)),
            remoteAddress: req.socket?.remoteAddress ?? '',
          },
    response: { status },
    variables: { error: { key: failed.key, message: failed.message, status: failed.status } },
  });
  try {
    return Buffer.from(evaluateToString(template.compiled, context));
  } catch {
    return template.literal;
  }
}
