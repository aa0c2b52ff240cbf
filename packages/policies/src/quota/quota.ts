import type { PolicyFactoryContext, PolicyInstance } from '@apim/core';
import { createCounterPolicy } from '../common/counter-policy.js';
import { periodMs } from '../common/periods.js';
import type { QuotaConfig } from './schema.js';

export const X_QUOTA_LIMIT = 'X-Quota-Limit';
export const X_QUOTA_REMAINING = 'X-Quota-Remaining';
export const X_QUOTA_RESET = 'X-Quota-Reset';

/**
 * `limit` requests per `periodTime periodTimeUnit` (hours to calendar months), in fixed windows opened by the first
 * request: Gravitee's quota in its default STRICT mode.
 */
export function createQuota(config: Readonly<QuotaConfig>, ctx: PolicyFactoryContext): PolicyInstance {
  const { quota } = config;
  const unit = quota.periodTimeUnit;
  return createCounterPolicy(
    {
      policyId: 'quota',
      type: 'q',
      errorPrefix: 'QUOTA',
      label: 'Quota',
      counter: quota,
      async: config.async,
      addHeaders: config.addHeaders,
      errorStrategy: config.errorStrategy,
      configuration: config,
      window: (limit, now) => ({ limit, periodMs: periodMs(quota.periodTime, unit, now) }),
      headers: (limit, _window, decision) => ({
        [X_QUOTA_LIMIT]: String(limit),
        [X_QUOTA_REMAINING]: String(decision === undefined ? limit : decision.remaining),
        [X_QUOTA_RESET]: String(decision === undefined ? -1 : decision.resetAt),
      }),
      exceeded: (limit) =>
        `Quota exceeded! You reached the limit of ${limit} requests per ${quota.periodTime} ${unit.toLowerCase()}`,
    },
    ctx,
  );
}
