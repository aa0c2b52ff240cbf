/**
 * The `oauth2` resource of an API (Gravitee's generic OAuth2 authorization server resource): RFC 7662 token
 * introspection (https://www.rfc-editor.org/rfc/rfc7662) against the server's introspection endpoint, with the
 * gateway authenticating as a client (HTTP Basic by default), the token sent in the form body (or the query string or
 * a header, as configured), and a bounded wait.
 *
 * With a cache (the plan's `oauthCacheResource` naming a cache resource), active answers are remembered until the
 * token expires or the cache's time to live ends, whichever comes first; inactive answers are never cached, so a token
 * that becomes valid is seen at once, and a revoked one within the time to live at most.
 */
import { request } from 'undici';
import { ExpiringCache } from './expiring-cache.js';

/** The configuration fields of Gravitee's `oauth2` resource this client reads. */
export interface OAuth2ResourceConfiguration {
  authorizationServerUrl?: string;
  introspectionEndpoint?: string;
  introspectionEndpointMethod?: 'GET' | 'POST';
  clientId?: string;
  clientSecret?: string;
  useClientAuthorizationHeader?: boolean;
  clientAuthorizationHeaderName?: string;
  clientAuthorizationHeaderScheme?: string;
  tokenIsSuppliedByQueryParam?: boolean;
  tokenQueryParamName?: string;
  tokenIsSuppliedByHttpHeader?: boolean;
  tokenHeaderName?: string;
  tokenIsSuppliedByFormUrlEncoded?: boolean;
  tokenFormUrlEncodedName?: string;
  scopeSeparator?: string;
  userClaim?: string;
}

/** An introspection answer (RFC 7662 §2.2): `active` and whatever else the server says. */
export type Introspection = { readonly active: boolean } & Readonly<Record<string, unknown>>;

/** The authorization server could not be asked, or answered something that is not an introspection. */
export class IntrospectionUnavailable extends Error {
  override readonly name = 'IntrospectionUnavailable';
}

/** One OAuth2 authorization server as an API's resource. */
export class OAuth2Introspector {
  readonly name: string;
  readonly scopeSeparator: string;
  readonly userClaim: string;
  readonly #url: URL;
  readonly #method: 'GET' | 'POST';
  readonly #headers: Record<string, string>;
  readonly #tokenIn: 'form' | 'query' | 'header';
  readonly #tokenName: string;
  readonly #timeoutMs: number;
  readonly #cacheTtlMs: number;
  readonly #cache = new ExpiringCache<Introspection>(10_000);

  /** Throws on a configuration without a usable introspection URL. */
  constructor(
    name: string,
    configuration: OAuth2ResourceConfiguration,
    options: { timeoutMs?: number; cacheTtlMs?: number } = {},
  ) {
    this.name = name;
    const base = configuration.authorizationServerUrl ?? '';
    const endpoint = configuration.introspectionEndpoint ?? '';
    try {
      this.#url = new URL(endpoint, base === '' ? undefined : base.endsWith('/') ? base : `${base}/`);
    } catch {
      throw new Error(`resource [${name}] needs authorizationServerUrl and introspectionEndpoint forming a URL`);
    }
    this.#method = configuration.introspectionEndpointMethod ?? 'POST';
    this.#headers = { accept: 'application/json' };
    if (configuration.useClientAuthorizationHeader !== false && configuration.clientId !== undefined) {
      const scheme = configuration.clientAuthorizationHeaderScheme ?? 'Basic';
      const credentials = Buffer.from(
        `${encodeURIComponent(configuration.clientId)}:${encodeURIComponent(configuration.clientSecret ?? '')}`,
      ).toString('base64');
      this.#headers[(configuration.clientAuthorizationHeaderName ?? 'Authorization').toLowerCase()] =
        `${scheme} ${credentials}`;
    }
    if (configuration.tokenIsSuppliedByHttpHeader === true) {
      this.#tokenIn = 'header';
      this.#tokenName = (configuration.tokenHeaderName ?? 'token').toLowerCase();
    } else if (
      configuration.tokenIsSuppliedByQueryParam === true &&
      configuration.tokenIsSuppliedByFormUrlEncoded !== true
    ) {
      this.#tokenIn = 'query';
      this.#tokenName = configuration.tokenQueryParamName ?? 'token';
    } else {
      this.#tokenIn = 'form';
      this.#tokenName = configuration.tokenFormUrlEncodedName ?? 'token';
    }
    this.scopeSeparator = configuration.scopeSeparator ?? ' ';
    this.userClaim = configuration.userClaim ?? 'sub';
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    this.#cacheTtlMs = options.cacheTtlMs ?? 0;
  }

  /**
   * Introspects a token. Rejects with {@link IntrospectionUnavailable} when the server cannot be reached in time or
   * answers anything but a JSON object with a boolean `active`.
   *
   * @example const answer = await introspector.introspect(token); if (!answer.active) refuse();
   */
  async introspect(token: string, now = Date.now()): Promise<Introspection> {
    const cached = this.#cacheTtlMs > 0 ? this.#cache.get(token, now) : undefined;
    if (cached !== undefined) return cached;
    const answer = await this.#ask(token);
    if (this.#cacheTtlMs > 0 && answer.active) {
      const exp = typeof answer.exp === 'number' ? answer.exp * 1000 : Number.POSITIVE_INFINITY;
      this.#cache.set(token, answer, Math.min(exp, now + this.#cacheTtlMs));
    }
    return answer;
  }

  async #ask(token: string): Promise<Introspection> {
    const url = new URL(this.#url);
    const headers = { ...this.#headers };
    let body: string | undefined;
    if (this.#tokenIn === 'query') url.searchParams.set(this.#tokenName, token);
    else if (this.#tokenIn === 'header') headers[this.#tokenName] = token;
    else {
      body = new URLSearchParams({ [this.#tokenName]: token }).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    let status: number;
    let text: string;
    try {
      const response = await request(url, {
        method: body === undefined ? this.#method : 'POST',
        headers,
        body,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      throw new IntrospectionUnavailable(`introspection at ${url.origin} failed: ${(error as Error).message}`);
    }
    if (status !== 200) throw new IntrospectionUnavailable(`introspection at ${url.origin} answered ${status}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new IntrospectionUnavailable(`introspection at ${url.origin} answered something that is not JSON`);
    }
    if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { active?: unknown }).active !== 'boolean') {
      throw new IntrospectionUnavailable(`introspection at ${url.origin} answered no boolean "active"`);
    }
    return parsed as Introspection;
  }
}

/** The scopes an introspection grants (`scope` as a separated string, or `scp` as a list). */
export function scopesOf(answer: Introspection, separator: string): string[] {
  if (typeof answer.scope === 'string') return answer.scope.split(separator).filter(Boolean);
  if (Array.isArray(answer.scp)) return answer.scp.filter((s): s is string => typeof s === 'string');
  return [];
}
