/**
 * CORS on an API's HTTP listener (Gravitee v4's `listeners[].cors`), compiled once per deployment. The gateway
 * answers preflight requests itself (before plan resolution: a browser's preflight carries no credentials) and adds
 * the CORS response headers to every answer to an allowed origin, the gateway's own error answers included, so that a
 * browser application can read a 401 or a 429.
 *
 * Origins in `allowOrigin` are `*`, exact origins, or regular expressions matching the whole origin
 * (`https://.*\.example\.com`), as Gravitee accepts them. With `allowCredentials`, `*` answers with the request's own
 * origin (the Fetch standard forbids `*` with credentials). A request from an origin not allowed is still forwarded,
 * without CORS headers: the browser then refuses the answer to the page. A preflight from such an origin, or asking
 * for a method or header not allowed, is answered 400 `CORS_PREFLIGHT_FAILED`.
 *
 * Fetch standard, CORS protocol: https://fetch.spec.whatwg.org/#http-cors-protocol
 */
import type { IncomingMessage } from 'node:http';
import type { Cors } from '@apim/core';

/** Characters that make an `allowOrigin` entry a regular expression rather than an exact origin. */
const REGEX_CHARACTERS = /[\\^$*+?()[\]{}|]/;

/** The CORS settings of one API, ready for the request path. */
export class CompiledCors {
  readonly #anyOrigin: boolean;
  readonly #origins: ReadonlySet<string>;
  readonly #patterns: readonly RegExp[];
  readonly #anyMethod: boolean;
  readonly #methods: ReadonlySet<string>;
  readonly #allowMethods: string;
  readonly #anyHeader: boolean;
  readonly #headers: ReadonlySet<string>;
  readonly #allowHeaders: string;
  readonly #exposeHeaders: string;
  readonly #credentials: boolean;
  readonly #maxAge: string | undefined;

  /** Throws on an `allowOrigin` entry that is neither an origin nor a valid regular expression. */
  constructor(cors: Cors) {
    const origins = cors.allowOrigin ?? [];
    this.#anyOrigin = origins.includes('*');
    const exact = new Set<string>();
    const patterns: RegExp[] = [];
    for (const origin of origins) {
      if (origin === '*') continue;
      if (!REGEX_CHARACTERS.test(origin)) {
        exact.add(origin.toLowerCase());
        continue;
      }
      try {
        patterns.push(new RegExp(`^(?:${origin})$`, 'i'));
      } catch (error) {
        throw new Error(`cors.allowOrigin [${origin}] is not a valid regular expression: ${(error as Error).message}`);
      }
    }
    this.#origins = exact;
    this.#patterns = patterns;
    const methods = (cors.allowMethods ?? []).map((method) => method.toUpperCase());
    this.#anyMethod = methods.length === 0 || methods.includes('*');
    this.#methods = new Set(methods);
    this.#allowMethods = methods.filter((method) => method !== '*').join(', ');
    const headers = (cors.allowHeaders ?? []).map((header) => header.toLowerCase());
    this.#anyHeader = headers.includes('*');
    this.#headers = new Set(headers);
    this.#allowHeaders = headers.filter((header) => header !== '*').join(', ');
    this.#exposeHeaders = (cors.exposeHeaders ?? []).join(', ');
    this.#credentials = cors.allowCredentials === true;
    this.#maxAge = cors.maxAge !== undefined && cors.maxAge >= 0 ? String(cors.maxAge) : undefined;
  }

  /** Whether a request is a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method). */
  isPreflight(req: IncomingMessage): boolean {
    return (
      req.method === 'OPTIONS' &&
      req.headers.origin !== undefined &&
      req.headers['access-control-request-method'] !== undefined
    );
  }

  #allows(origin: string): boolean {
    if (this.#anyOrigin) return true;
    const lower = origin.toLowerCase();
    if (this.#origins.has(lower)) return true;
    for (const pattern of this.#patterns) if (pattern.test(origin)) return true;
    return false;
  }

  /** Access-Control-Allow-Origin for an allowed origin: `*` when any origin is allowed without credentials. */
  #allowOrigin(origin: string): string {
    return this.#anyOrigin && !this.#credentials ? '*' : origin;
  }

  /**
   * The answer to a preflight: the headers of a 204, or undefined when it must be refused (origin, method or
   * headers not allowed).
   */
  preflight(req: IncomingMessage): string[] | undefined {
    const origin = req.headers.origin!;
    if (!this.#allows(origin)) return undefined;
    const method = String(req.headers['access-control-request-method']).toUpperCase();
    if (!this.#anyMethod && !this.#methods.has(method)) return undefined;
    const requested = req.headers['access-control-request-headers'];
    const names =
      typeof requested === 'string'
        ? requested
            .split(',')
            .map((name) => name.trim().toLowerCase())
            .filter(Boolean)
        : [];
    if (!this.#anyHeader && names.some((name) => !this.#headers.has(name))) return undefined;
    const out = ['access-control-allow-origin', this.#allowOrigin(origin), 'vary', 'Origin'];
    out.push('access-control-allow-methods', this.#anyMethod ? method : this.#allowMethods);
    if (names.length > 0)
      out.push('access-control-allow-headers', this.#anyHeader ? names.join(', ') : this.#allowHeaders);
    if (this.#credentials) out.push('access-control-allow-credentials', 'true');
    if (this.#maxAge !== undefined) out.push('access-control-max-age', this.#maxAge);
    return out;
  }

  /** The CORS headers of an answer to a request from `origin` (none when the origin is not allowed). */
  responseHeaders(origin: string | undefined): string[] | undefined {
    if (origin === undefined || !this.#allows(origin)) return undefined;
    const out = ['access-control-allow-origin', this.#allowOrigin(origin), 'vary', 'Origin'];
    if (this.#credentials) out.push('access-control-allow-credentials', 'true');
    if (this.#exposeHeaders !== '') out.push('access-control-expose-headers', this.#exposeHeaders);
    return out;
  }
}
