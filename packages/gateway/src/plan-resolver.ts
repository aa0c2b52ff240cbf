/**
 * Plan resolution: which plan of the API serves a request, and on whose behalf. As Gravitee v4's security chain, the
 * serving plans are tried by security type (JWT, OAuth2, API key, then keyless; mTLS is not resolved yet) and, within
 * a type, by `order`; the first plan that can handle the request's credentials serves it.
 *
 * - JWT: the bearer token's client id (`azp`, `aud`, `client_id` or the configured claim, read before verifying, as
 *   Gravitee does) selects the plan holding that client's subscription; then the signature and dates are checked
 *   (security/jwt-verifier.ts): 401 `JWT_INVALID_TOKEN` when they fail.
 * - OAuth2: the bearer token is introspected (RFC 7662) at the plan's `oauth2` resource; the client id of an active
 *   token selects the plan holding its subscription, whose required scopes are then checked (403
 *   `OAUTH2_INSUFFICIENT_SCOPE`); 401 `OAUTH2_INVALID_ACCESS_TOKEN` for inactive tokens, 401
 *   `GATEWAY_OAUTH2_INVALID_CLIENT` without a subscription, 503 `OAUTH2_SERVER_UNAVAILABLE` when the server cannot
 *   answer.
 * - API key: read from the `X-Gravitee-Api-Key` header (or the `api-key` query parameter; both names configurable),
 *   hashed, and looked up in the {@link SubscriptionRegistry}: the plan serves when the key is usable and grants an
 *   active subscription to it. A key that grants nothing falls through to a keyless plan when the API has one
 *   (Gravitee's order); otherwise the answer is 401 `API_KEY_INVALID`.
 * - Without any credential: the keyless plan, or 401 `GATEWAY_PLAN_UNRESOLVABLE`.
 *
 * Credentials are not forwarded upstream unless the plan propagates them (`propagateApiKey`, `propagateAuthHeader`).
 * Everything is decided at deploy time except the lookups: a keyless API allocates nothing per request, and only
 * token checks (signature, introspection) make the resolution asynchronous.
 */
import type { IncomingMessage } from 'node:http';
import { hashApiKey, PLAN_SECURITY_ALIASES, type PlanDefinition, type Resource } from '@apim/core';
import type { JWTPayload } from 'jose';
import {
  clientIdOf,
  type GatewayJwtKey,
  type JwtPlanConfiguration,
  JwtVerifier,
  unverifiedClaims,
} from './security/jwt-verifier.js';
import {
  type Introspection,
  OAuth2Introspector,
  type OAuth2ResourceConfiguration,
  scopesOf,
} from './security/oauth2-introspection.js';
import type { KnownSubscription, SubscriptionRegistry } from './security/subscription-registry.js';

/** Why no plan serves a request. */
export type PlanFailureKey =
  | 'GATEWAY_PLAN_UNRESOLVABLE'
  | 'API_KEY_INVALID'
  | 'JWT_INVALID_TOKEN'
  | 'OAUTH2_INVALID_ACCESS_TOKEN'
  | 'OAUTH2_INSUFFICIENT_SCOPE'
  | 'OAUTH2_SERVER_UNAVAILABLE'
  | 'GATEWAY_OAUTH2_INVALID_CLIENT';

/** The outcome of plan resolution for one request. */
export interface PlanResolution {
  /** The serving plan; undefined when the request is refused with {@link failureKey}. */
  readonly plan: PlanDefinition | undefined;
  readonly failureKey: PlanFailureKey | undefined;
  /** The subscription the credentials granted (plans with subscriptions). */
  readonly subscription: KnownSubscription | undefined;
  /** The API key presented, when it selected the plan. */
  readonly apiKey: string | undefined;
  /** Lowercase header carrying the API key, which must not be forwarded. */
  readonly stripHeader: string | undefined;
  /** Query parameter carrying the API key, which must not be forwarded. */
  readonly stripQueryParam: string | undefined;
  /** Context attributes the credentials give (`jwt.token`, `jwt.claims`, `user-id`...), without Gravitee's prefix. */
  readonly attributes?: Readonly<Record<string, unknown>> | undefined;
}

/** Returns how a request is served (or refused); a promise when a token signature must be checked first. */
export type PlanResolver = (req: IncomingMessage) => PlanResolution | Promise<PlanResolution>;

/** What plan resolution needs besides the plans: the subscriptions and keys, and where keys travel. */
export interface PlanSecurityOptions {
  readonly subscriptions: SubscriptionRegistry;
  /** Header carrying API keys (default `X-Gravitee-Api-Key`). */
  readonly apiKeyHeader?: string;
  /** Query parameter carrying API keys (default `api-key`). */
  readonly apiKeyQueryParam?: string;
  /** Keys of JWT plans whose `publicKeyResolver` is GATEWAY_KEYS. */
  readonly jwtKeys?: readonly GatewayJwtKey[];
  /** Shortest time between two fetches of a JWKS (default 30 s). */
  readonly jwksCooldownMs?: number;
  /** How long an OAuth2 introspection may take (default 5 s). */
  readonly introspectionTimeoutMs?: number;
  /** Told why tokens are refused (debug level). */
  readonly onRejected?: (reason: unknown, planId: string) => void;
  /** The clock (tests). */
  readonly now?: () => number;
}

/** Plan statuses whose plans take traffic. */
const SERVING_STATUSES: ReadonlySet<string> = new Set(['PUBLISHED', 'DEPRECATED']);

/** `key-less`, `keyless`, `KEY_LESS` -> `KEY_LESS`. */
export function securityTypeOf(plan: PlanDefinition): string | undefined {
  const type = plan.security?.type;
  if (typeof type !== 'string') return undefined;
  return PLAN_SECURITY_ALIASES[type.toLowerCase()] ?? type.toUpperCase();
}

/** Whether a plan takes traffic at all (published or deprecated, standard mode). */
export function isServingPlan(plan: PlanDefinition): boolean {
  return SERVING_STATUSES.has(plan.status) && (plan.mode ?? 'STANDARD') === 'STANDARD';
}

function refusal(failureKey: PlanFailureKey): PlanResolution {
  return Object.freeze({
    plan: undefined,
    failureKey,
    subscription: undefined,
    apiKey: undefined,
    stripHeader: undefined,
    stripQueryParam: undefined,
  });
}

const UNRESOLVABLE = refusal('GATEWAY_PLAN_UNRESOLVABLE');
const KEY_INVALID = refusal('API_KEY_INVALID');
const JWT_INVALID = refusal('JWT_INVALID_TOKEN');
const OAUTH2_INVALID = refusal('OAUTH2_INVALID_ACCESS_TOKEN');
const OAUTH2_SCOPE = refusal('OAUTH2_INSUFFICIENT_SCOPE');
const OAUTH2_UNAVAILABLE = refusal('OAUTH2_SERVER_UNAVAILABLE');
const OAUTH2_CLIENT = refusal('GATEWAY_OAUTH2_INVALID_CLIENT');

const BEARER = /^bearer\s+(\S+)\s*$/i;

/** A bearer token from `Authorization` (or Gravitee's `access_token` query parameter). */
function bearerToken(req: IncomingMessage): { token: string; fromQuery: boolean } | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = BEARER.exec(header);
    if (match !== null) return { token: match[1]!, fromQuery: false };
  }
  const token = queryParam(req.url ?? '/', 'access_token');
  return token === undefined ? undefined : { token, fromQuery: true };
}

/** A JWT plan compiled once: its verifier and the configuration the request path reads. */
interface JwtPlan {
  readonly plan: PlanDefinition;
  readonly verifier: JwtVerifier;
  readonly clientIdClaim: string | undefined;
  readonly userClaim: string;
  readonly extractClaims: boolean;
  readonly propagateAuthHeader: boolean;
}

function compileJwtPlan(plan: PlanDefinition, security: PlanSecurityOptions): JwtPlan {
  const configuration = (plan.security?.configuration ?? {}) as JwtPlanConfiguration & {
    clientIdClaim?: string;
    userClaim?: string;
    extractClaims?: boolean;
    propagateAuthHeader?: boolean;
  };
  let verifier: JwtVerifier;
  try {
    verifier = new JwtVerifier(configuration, security.jwtKeys ?? [], {
      ...(security.jwksCooldownMs === undefined ? {} : { jwksCooldownMs: security.jwksCooldownMs }),
    });
  } catch (error) {
    throw new Error(`plan [${plan.id}] (JWT): ${(error as Error).message}`);
  }
  return {
    plan,
    verifier,
    clientIdClaim: configuration.clientIdClaim || undefined,
    userClaim: configuration.userClaim || 'sub',
    extractClaims: configuration.extractClaims === true,
    propagateAuthHeader: configuration.propagateAuthHeader !== false,
  };
}

/** An OAuth2 plan compiled once: its authorization server (resource) and scope rules. */
interface OAuth2Plan {
  readonly plan: PlanDefinition;
  readonly introspector: OAuth2Introspector;
  readonly requiredScopes: readonly string[];
  readonly modeStrict: boolean;
  readonly extractPayload: boolean;
  readonly propagateAuthHeader: boolean;
}

/** Introspectors shared by the plans naming the same resource (and cache). */
function compileOAuth2Plan(
  plan: PlanDefinition,
  resources: readonly Resource[],
  introspectors: Map<string, OAuth2Introspector>,
  timeoutMs: number | undefined,
): OAuth2Plan {
  const configuration = (plan.security?.configuration ?? {}) as {
    oauthResource?: string;
    oauthCacheResource?: string;
    checkRequiredScopes?: boolean;
    requiredScopes?: string[];
    modeStrict?: boolean;
    extractPayload?: boolean;
    propagateAuthHeader?: boolean;
  };
  const enabled = (name: string | undefined) =>
    resources.find((resource) => resource.name === name && resource.enabled !== false);
  const server = enabled(configuration.oauthResource);
  if (server === undefined) {
    throw new Error(`plan [${plan.id}] (OAuth2): no enabled resource named [${configuration.oauthResource ?? ''}]`);
  }
  const cache = configuration.oauthCacheResource ? enabled(configuration.oauthCacheResource) : undefined;
  const ttlSeconds = Number(
    (cache?.configuration as { timeToLiveSeconds?: unknown } | undefined)?.timeToLiveSeconds ?? 0,
  );
  const cacheTtlMs = cache === undefined ? 0 : Math.max(0, ttlSeconds > 0 ? ttlSeconds * 1000 : 60_000);
  const key = `${server.name}\0${cacheTtlMs}`;
  let introspector = introspectors.get(key);
  if (introspector === undefined) {
    try {
      introspector = new OAuth2Introspector(server.name, (server.configuration ?? {}) as OAuth2ResourceConfiguration, {
        cacheTtlMs,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      });
    } catch (error) {
      throw new Error(`plan [${plan.id}] (OAuth2): ${(error as Error).message}`);
    }
    introspectors.set(key, introspector);
  }
  return {
    plan,
    introspector,
    requiredScopes: configuration.checkRequiredScopes === true ? (configuration.requiredScopes ?? []) : [],
    modeStrict: configuration.modeStrict !== false,
    extractPayload: configuration.extractPayload === true,
    propagateAuthHeader: configuration.propagateAuthHeader !== false,
  };
}

/**
 * Introspects a bearer token for the OAuth2 plans (one call per authorization server), then serves with the first
 * plan, by order, holding a subscription of the token's client; its required scopes are checked last.
 */
async function introspectedOAuth2(
  apiId: string,
  oauth2Plans: readonly OAuth2Plan[],
  bearer: { token: string; fromQuery: boolean },
  security: PlanSecurityOptions,
  now: () => number,
): Promise<PlanResolution> {
  const answers = new Map<OAuth2Introspector, Introspection>();
  let inactive = false;
  for (const oauth2 of oauth2Plans) {
    let answer = answers.get(oauth2.introspector);
    if (answer === undefined) {
      try {
        answer = await oauth2.introspector.introspect(bearer.token);
      } catch (error) {
        security.onRejected?.(error, oauth2.plan.id!);
        return OAUTH2_UNAVAILABLE;
      }
      answers.set(oauth2.introspector, answer);
    }
    if (!answer.active) {
      inactive = true;
      continue;
    }
    const clientId = typeof answer.client_id === 'string' ? answer.client_id : undefined;
    if (clientId === undefined) continue;
    const subscription = security.subscriptions.subscriptionForClientId(apiId, oauth2.plan.id!, clientId, now());
    if (subscription === undefined) continue;
    if (oauth2.requiredScopes.length > 0) {
      const granted = new Set(scopesOf(answer, oauth2.introspector.scopeSeparator));
      const ok = oauth2.modeStrict
        ? oauth2.requiredScopes.every((scope) => granted.has(scope))
        : oauth2.requiredScopes.some((scope) => granted.has(scope));
      if (!ok) return OAUTH2_SCOPE;
    }
    const attributes: Record<string, unknown> = { 'oauth.access_token': bearer.token, 'oauth.client_id': clientId };
    if (oauth2.extractPayload) attributes['oauth.payload'] = JSON.stringify(answer);
    const user = answer[oauth2.introspector.userClaim];
    if (typeof user === 'string') attributes['user-id'] = user;
    return servedByToken(oauth2.plan, subscription, bearer, oauth2.propagateAuthHeader, attributes);
  }
  return inactive ? OAUTH2_INVALID : OAUTH2_CLIENT;
}

/** Checks the token of the JWT plan the subscription selected: the plan serves, or 401 JWT_INVALID_TOKEN. */
async function verifiedJwt(
  jwt: JwtPlan,
  subscription: KnownSubscription,
  bearer: { token: string; fromQuery: boolean },
  clientId: string,
  security: PlanSecurityOptions,
): Promise<PlanResolution> {
  let claims: JWTPayload;
  try {
    claims = await jwt.verifier.verify(bearer.token);
  } catch (error) {
    security.onRejected?.(error, jwt.plan.id!);
    return JWT_INVALID;
  }
  const attributes: Record<string, unknown> = { 'jwt.token': bearer.token, 'oauth.client_id': clientId };
  if (jwt.extractClaims) attributes['jwt.claims'] = claims;
  const user = claims[jwt.userClaim];
  if (typeof user === 'string') attributes['user-id'] = user;
  return servedByToken(jwt.plan, subscription, bearer, jwt.propagateAuthHeader, attributes);
}

/** A plan served on a bearer token's behalf; the token is kept from the upstream unless the plan propagates it. */
function servedByToken(
  plan: PlanDefinition,
  subscription: KnownSubscription,
  bearer: { token: string; fromQuery: boolean },
  propagate: boolean,
  attributes: Record<string, unknown>,
): PlanResolution {
  return {
    plan,
    failureKey: undefined,
    subscription,
    apiKey: undefined,
    stripHeader: !propagate && !bearer.fromQuery ? 'authorization' : undefined,
    stripQueryParam: !propagate && bearer.fromQuery ? 'access_token' : undefined,
    attributes,
  };
}

function servedBy(plan: PlanDefinition): PlanResolution {
  return Object.freeze({
    plan,
    failureKey: undefined,
    subscription: undefined,
    apiKey: undefined,
    stripHeader: undefined,
    stripQueryParam: undefined,
  });
}

const byOrder = (a: PlanDefinition, b: PlanDefinition) => (a.order ?? 0) - (b.order ?? 0);

/** Hashes of recently presented API keys: a SHA-256 per request costs more than the rest of the lookup. */
const recentHashes = new Map<string, string>();
const RECENT_HASHES = 10_000;

/**
 * The stored form of a presented key, remembered for the keys seen last (bounded; clear keys stay in this process's
 * memory only, as they do in the request itself).
 */
function hashOfPresented(key: string): string {
  let hash = recentHashes.get(key);
  if (hash !== undefined) return hash;
  hash = hashApiKey(key);
  if (recentHashes.size >= RECENT_HASHES) recentHashes.delete(recentHashes.keys().next().value!);
  recentHashes.set(key, hash);
  return hash;
}

/** The value of query parameter `name` in a request target, decoded; undefined when absent or empty. */
export function queryParam(url: string, name: string): string | undefined {
  const query = url.indexOf('?');
  if (query === -1 || url.indexOf(`${name}=`, query) === -1) return undefined;
  return new URLSearchParams(url.slice(query + 1)).get(name) || undefined;
}

/** The request target without query parameter `name` (every occurrence). */
export function withoutQueryParam(url: string, name: string): string {
  const query = url.indexOf('?');
  if (query === -1) return url;
  const kept = url
    .slice(query + 1)
    .split('&')
    .filter((pair) => {
      const eq = pair.indexOf('=');
      const key = eq === -1 ? pair : pair.slice(0, eq);
      try {
        return decodeURIComponent(key.replace(/\+/g, ' ')) !== name;
      } catch {
        return true;
      }
    });
  return kept.length === 0 ? url.slice(0, query) : `${url.slice(0, query)}?${kept.join('&')}`;
}

/**
 * Builds the resolver of an API once per deployment, from its plans (and, for plans with subscriptions, the
 * gateway's subscription registry).
 *
 * @example
 * const resolve = createPlanResolver(api.id, plans, { subscriptions });
 * const resolution = resolve(req);
 * if (resolution.plan === undefined) writeFailure(req, res, failure(resolution.failureKey));
 */
export function createPlanResolver(
  apiId: string,
  plans: readonly PlanDefinition[],
  security?: PlanSecurityOptions,
  /** The API's resources (OAuth2 authorization servers, caches). */
  resources: readonly Resource[] = [],
): PlanResolver {
  const serving = plans.filter(isServingPlan);
  const keyless = serving.filter((plan) => securityTypeOf(plan) === 'KEY_LESS').sort(byOrder)[0];
  const keylessResolution = keyless === undefined ? undefined : servedBy(keyless);
  const ofType = (type: string) =>
    security === undefined ? [] : serving.filter((plan) => securityTypeOf(plan) === type).sort(byOrder);
  const apiKeyPlans = ofType('API_KEY');
  const jwtPlans = ofType('JWT').map((plan) => compileJwtPlan(plan, security!));
  const introspectors = new Map<string, OAuth2Introspector>();
  const oauth2Plans = ofType('OAUTH2').map((plan) =>
    compileOAuth2Plan(plan, resources, introspectors, security?.introspectionTimeoutMs),
  );
  if ((apiKeyPlans.length === 0 && jwtPlans.length === 0 && oauth2Plans.length === 0) || security === undefined) {
    return keylessResolution === undefined ? () => UNRESOLVABLE : () => keylessResolution;
  }
  const { subscriptions } = security;
  const headerName = (security.apiKeyHeader ?? 'X-Gravitee-Api-Key').toLowerCase();
  const paramName = security.apiKeyQueryParam ?? 'api-key';
  const now = security.now ?? Date.now;
  const propagate = apiKeyPlans.map(
    (plan) => (plan.security?.configuration as { propagateApiKey?: unknown } | undefined)?.propagateApiKey === true,
  );
  return (req) => {
    // Gravitee's order: JWT, then OAuth2, then API-key plans, keyless last.
    const bearer = jwtPlans.length > 0 || oauth2Plans.length > 0 ? bearerToken(req) : undefined;
    if (bearer !== undefined) {
      const claims = jwtPlans.length > 0 ? unverifiedClaims(bearer.token) : undefined;
      if (claims !== undefined) {
        const at = now();
        for (const jwt of jwtPlans) {
          const clientId = clientIdOf(claims, jwt.clientIdClaim);
          if (clientId === undefined) continue;
          const subscription = subscriptions.subscriptionForClientId(apiId, jwt.plan.id!, clientId, at);
          if (subscription !== undefined) return verifiedJwt(jwt, subscription, bearer, clientId, security);
        }
      }
      if (oauth2Plans.length > 0) return introspectedOAuth2(apiId, oauth2Plans, bearer, security, now);
    }
    if (apiKeyPlans.length > 0) {
      const header = req.headers[headerName];
      const fromHeader = typeof header === 'string' ? header : Array.isArray(header) ? header[0] : undefined;
      const key = fromHeader || queryParam(req.url ?? '/', paramName);
      if (key !== undefined) {
        const keyHash = hashOfPresented(key);
        const at = now();
        for (let i = 0; i < apiKeyPlans.length; i++) {
          const plan = apiKeyPlans[i]!;
          const subscription = subscriptions.subscriptionForKey(keyHash, apiId, plan.id!, at);
          if (subscription === undefined) continue;
          const strip = !propagate[i];
          return {
            plan,
            failureKey: undefined,
            subscription,
            apiKey: key,
            stripHeader: strip && fromHeader ? headerName : undefined,
            stripQueryParam: strip && !fromHeader ? paramName : undefined,
          };
        }
        return keylessResolution ?? KEY_INVALID;
      }
    }
    return keylessResolution ?? UNRESOLVABLE;
  };
}
