import type { PolicyFactoryContext, PolicyInstance } from '@apim/core';
import { createCounterPolicy } from '../common/counter-policy.js';
import { periodMs } from '../common/periods.js';
import type { RateLimitConfig } from './schema.js';

export const X_RATE_LIMIT_LIMIT = 'X-Rate-Limit-Limit';
export const X_RATE_LIMIT_REMAINING = 'X-Rate-Limit-Remaining';
export const X_RATE_LIMIT_RESET = 'X-Rate-Limit-Reset';

/**
 * `limit` requests per `periodTime periodTimeUnit` in fixed windows opened by the first request (Gravitee's
 * rate-limit). Headers as Gravitee: the limit, what remains, and the window's end in epoch milliseconds (-1 when
 * the store failed and the request was let through, with Remaining = the limit).
 */
export function createRateLimit(config: Readonly<RateLimitConfig>, ctx: PolicyFactoryContext): PolicyInstance {
  const { rate } = config;
  const unit = rate.periodTimeUnit;
  return createCounterPolicy(
    {
      policyId: 'rate-limit',
      type: 'rl',
      errorPrefix: 'RATE_LIMIT',
      label: 'Rate limit',
      counter: rate,
      async: config.async,
      addHeaders: config.addHeaders,
      errorStrategy: config.errorStrategy,
      configuration: config,
      window: (limit, now) => ({ limit, periodMs: periodMs(rate.periodTime, unit, now) }),
      headers: (limit, _window, decision) => ({
        [X_RATE_LIMIT_LIMIT]: String(limit),
        [X_RATE_LIMIT_REMAINING]: String(decision === undefined ? limit : decision.remaining),
        [X_RATE_LIMIT_RESET]: String(decision === undefined ? -1 : decision.resetAt),
      }),
      exceeded: (limit) =>
        `Rate limit exceeded! You reached the limit of ${limit} requests per ${rate.periodTime} ${unit.toLowerCase()}`,
    },
    ctx,
  );
}
