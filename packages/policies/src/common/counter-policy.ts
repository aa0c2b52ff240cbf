/**
 * What rate-limit, quota and spike-arrest share: the counter key, the limit (static or EL), the store from the
 * gateway's services, the 429 answer, the headers, and the error strategy when the store fails.
 */
import { createHash } from 'node:crypto';
import type { ExecutionContext, PolicyFactoryContext, PolicyInstance, PolicyLogger } from '@apim/core';
import type { RateLimitDecision, RateLimitStore } from '@apim/ratelimit';
import { evaluateText, type TemplateValue, templateValue } from './el-values.js';

/** Gravitee's error strategies; `FALLBACK_PASS_TROUGH` is Gravitee's own spelling, accepted as the same. */
export type ErrorStrategy = 'FALLBACK_PASS_THROUGH' | 'FALLBACK_PASS_TROUGH' | 'BLOCK_ON_INTERNAL_ERROR';

/** A counter window: what the store is asked for. */
export interface CounterWindow {
  limit: number;
  periodMs: number;
}

/** The key fields shared by the three policies' configurations (Gravitee's `KeyConfiguration`). */
export interface CounterKeyConfig {
  key?: string | undefined;
  useKeyOnly?: boolean | undefined;
  limit: number;
  dynamicLimit?: string | undefined;
}

/** What each policy plugs into the shared runner. */
export interface CounterPolicySpec {
  /** The policy id (`rate-limit`), for messages. */
  policyId: string;
  /** Gravitee's key type: `rl`, `q`, `sa`. */
  type: string;
  /** The error key prefix: `RATE_LIMIT` gives RATE_LIMIT_TOO_MANY_REQUESTS and RATE_LIMIT_BLOCK_ON_INTERNAL_ERROR. */
  errorPrefix: string;
  /** The name in the internal-error message: `Rate limit` blocked the query due to internal error. */
  label: string;
  counter: CounterKeyConfig;
  async: boolean;
  addHeaders: boolean;
  errorStrategy: ErrorStrategy;
  /** The whole configuration, hashed into the key so that two differently configured steps never share counters. */
  configuration: unknown;
  /** The window for a resolved limit, at `now` (epoch ms). */
  window(limit: number, now: number): CounterWindow;
  /** The informative headers; `decision` undefined when the store failed. */
  headers(limit: number, window: CounterWindow, decision: RateLimitDecision | undefined): Record<string, string>;
  /** The 429 message. */
  exceeded(limit: number, window: CounterWindow): string;
}

/** The service name of the counter store in `PolicyFactoryContext.services`. */
export const RATE_LIMIT_SERVICE = 'rateLimit';
/** The optional service for `async: true` (an `AsyncRateLimitStore`); without it, async steps use `rateLimit`. */
export const RATE_LIMIT_ASYNC_SERVICE = 'rateLimitAsync';

const ATTR_PLAN = 'gravitee.attribute.plan';
const ATTR_SUBSCRIPTION = 'gravitee.attribute.subscription-id';
/** Where a request-phase step leaves its headers for a response-phase step of the same policy. */
const headersAttribute = (policyId: string) => `apim.${policyId}.headers`;

const isStore = (value: unknown): value is RateLimitStore =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as RateLimitStore).consume === 'function' &&
  typeof (value as RateLimitStore).increment === 'function';

function storeOf(ctx: PolicyFactoryContext, spec: CounterPolicySpec): RateLimitStore {
  const services = ctx.services ?? {};
  const store = (spec.async ? services[RATE_LIMIT_ASYNC_SERVICE] : undefined) ?? services[RATE_LIMIT_SERVICE];
  if (!isStore(store))
    throw new Error(
      `${spec.policyId} needs the gateway's counter store: services.${RATE_LIMIT_SERVICE} must be a RateLimitStore (@apim/ratelimit)`,
    );
  return store;
}

/** A stable short hash of a configuration (object keys sorted). */
export function configurationHash(value: unknown): string {
  const stable = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(stable)
      : typeof v === 'object' && v !== null
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, stable((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(stable(value)))
    .digest('hex')
    .slice(0, 12);
}

/** Seconds until `resetAt`, rounded up (Retry-After, RFC 9110 §10.2.3). */
export const retryAfter = (resetAt: number, now: number) => String(Math.max(0, Math.ceil((resetAt - now) / 1000)));

/** Warns at most once per `everyMs`, counting what it left out (a dead store must not flood the logs). */
function throttledWarn(logger: PolicyLogger, everyMs = 10_000) {
  let last = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return (obj: Record<string, unknown>, message: string) => {
    const now = Date.now();
    if (now - last < everyMs) {
      suppressed++;
      return;
    }
    last = now;
    logger.warn({ ...obj, ...(suppressed > 0 ? { suppressed } : {}) }, message);
    suppressed = 0;
  };
}

/**
 * Builds the instance of a counter policy. The key is, as Gravitee's KeyFactory:
 * `<type>:api:<api id>:<configuration hash>:<plan id>:<subscription id, or the client address without one>[:<key>]`
 * or, with `useKeyOnly` and a key that evaluates to non-empty text, `<type>:key:<key>` (shared across APIs and plans
 * on purpose).
 */
export function createCounterPolicy(spec: CounterPolicySpec, ctx: PolicyFactoryContext): PolicyInstance {
  const store = storeOf(ctx, spec);
  const { counter } = spec;
  const keyTemplate: TemplateValue | undefined =
    counter.key === undefined || counter.key.trim() === '' ? undefined : templateValue(counter.key);
  const dynamicLimit: TemplateValue | undefined =
    counter.limit > 0 || counter.dynamicLimit === undefined || counter.dynamicLimit.trim() === ''
      ? undefined
      : templateValue(counter.dynamicLimit);
  const scope = `${spec.type}:api:${ctx.apiId ?? '-'}:${configurationHash(spec.configuration)}`;
  const warn = throttledWarn(ctx.logger);
  const passThrough = spec.errorStrategy !== 'BLOCK_ON_INTERNAL_ERROR';
  const attribute = headersAttribute(spec.policyId);

  const keyOf = (exec: ExecutionContext): string => {
    const custom = keyTemplate === undefined ? '' : (evaluateText(keyTemplate, exec) ?? '');
    if (counter.useKeyOnly === true && custom !== '') return `${spec.type}:key:${custom}`;
    const plan = exec.attributes.get(ATTR_PLAN);
    const subscription = exec.attributes.get(ATTR_SUBSCRIPTION);
    const who = subscription === undefined || subscription === null ? exec.request.remoteAddress : String(subscription);
    const base = `${scope}:${plan === undefined || plan === null ? '-' : String(plan)}:${who}`;
    return custom === '' ? base : `${base}:${custom}`;
  };

  const limitOf = (exec: ExecutionContext): number => {
    if (dynamicLimit === undefined) return counter.limit;
    const text = (evaluateText(dynamicLimit, exec) ?? '').trim();
    if (text === '') return 0; // Gravitee: an empty dynamic limit is 0 (everything refused)
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < 0)
      throw new Error(`dynamicLimit evaluated to [${text}], not an integer >= 0`);
    return value;
  };

  const setHeaders = (exec: ExecutionContext, headers: Record<string, string>) => {
    for (const [name, value] of Object.entries(headers)) exec.response.headers.set(name, value);
    exec.attributes.set(attribute, headers);
  };

  const failed = (exec: ExecutionContext, error: unknown, limit: number, window: CounterWindow | undefined) => {
    warn(
      { err: error, policy: spec.policyId, errorStrategy: spec.errorStrategy },
      passThrough
        ? `${spec.policyId}: counter unavailable, request let through (errorStrategy ${spec.errorStrategy})`
        : `${spec.policyId}: counter unavailable, request refused (errorStrategy BLOCK_ON_INTERNAL_ERROR)`,
    );
    if (!passThrough) {
      exec.interrupt({
        status: 500,
        key: `${spec.errorPrefix}_BLOCK_ON_INTERNAL_ERROR`,
        message: `${spec.label} blocked the query due to internal error`,
      });
      return;
    }
    if (spec.addHeaders && window !== undefined) setHeaders(exec, spec.headers(limit, window, undefined));
  };

  return {
    onRequest(exec): Promise<void> | undefined {
      let limit = 0;
      let window: CounterWindow;
      let key: string;
      const now = Date.now();
      try {
        limit = limitOf(exec);
        window = spec.window(limit, now);
        key = keyOf(exec);
      } catch (error) {
        failed(exec, error, limit, undefined);
        return undefined;
      }
      return store.consume({ key, weight: 1, limit: window.limit, periodMs: window.periodMs }).then(
        (decision) => {
          const headers = spec.addHeaders ? spec.headers(limit, window, decision) : {};
          if (decision.allowed) {
            if (spec.addHeaders) setHeaders(exec, headers);
            return;
          }
          exec.interrupt({
            status: 429,
            key: `${spec.errorPrefix}_TOO_MANY_REQUESTS`,
            message: spec.exceeded(limit, window),
            headers: { ...headers, 'Retry-After': retryAfter(decision.resetAt, Date.now()) },
          });
        },
        (error: unknown) => failed(exec, error, limit, window),
      );
    },
    // In the response phase, the step re-applies the headers its request-phase twin decided (see the docs).
    onResponse(exec): void {
      const headers = exec.attributes.get(attribute) as Record<string, string> | undefined;
      if (headers === undefined) return;
      for (const [name, value] of Object.entries(headers)) exec.response.headers.set(name, value);
    },
  };
}
