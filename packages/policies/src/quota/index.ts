import { definePolicy } from '@apim/core';
import monthly from './examples/monthly.json' with { type: 'json' };
import { createQuota } from './quota.js';
import { QuotaSchema } from './schema.js';

/** `quota`: at most `limit` requests per long period (hours to months), per consumer. */
export const quotaPolicy = definePolicy({
  id: 'quota',
  version: '1.0.0',
  name: 'Quota',
  description:
    "Admits at most `quota.limit` requests (or the evaluated `dynamicLimit`) per `periodTime periodTimeUnit` (HOURS, DAYS, WEEKS, or calendar MONTHS in UTC) in fixed windows opened by the consumer's first request, then answers 429 QUOTA_TOO_MANY_REQUESTS with Retry-After. Headers X-Quota-Limit, X-Quota-Remaining, X-Quota-Reset (epoch ms). The counter store is the gateway's `rateLimit` service (in memory, or Redis shared by every gateway: one atomic script per decision, so gateways sharing Redis never admit more than the limit; `async: true` decides from local counters synchronised every second). Counter key: `<type>:api:<api id>:<configuration hash>:<plan>:<subscription, or the client address on keyless plans>[:<key>]`, or `<type>:key:<key>` with `useKeyOnly`. A refused request is not counted. The headers are set on the response during the request phase and re-applied by a step of the same policy placed in the response phase.",
  category: 'traffic',
  phases: ['request', 'response'],
  schema: QuotaSchema,
  examples: [monthly],
  create: createQuota,
});
