import { definePolicy } from '@apim/core';
import perClient from './examples/per-client.json' with { type: 'json' };
import perTenant from './examples/per-tenant.json' with { type: 'json' };
import { createRateLimit } from './rate-limit.js';
import { RateLimitSchema } from './schema.js';

/** `rate-limit`: at most `limit` requests per short period, per consumer. */
export const rateLimitPolicy = definePolicy({
  id: 'rate-limit',
  version: '1.0.0',
  name: 'Rate limit',
  description:
    'Admits at most `rate.limit` requests (or the evaluated `dynamicLimit`) per `periodTime periodTimeUnit` in fixed windows opened by the consumer\'s first request, then answers 429 RATE_LIMIT_TOO_MANY_REQUESTS ("Rate limit exceeded! You reached the limit of 10 requests per 1 seconds") with Retry-After (seconds until the window ends). Headers X-Rate-Limit-Limit, X-Rate-Limit-Remaining, X-Rate-Limit-Reset (epoch ms). The counter store is the gateway\'s `rateLimit` service (in memory, or Redis shared by every gateway: one atomic script per decision, so gateways sharing Redis never admit more than the limit; `async: true` decides from local counters synchronised every second). Counter key: `<type>:api:<api id>:<configuration hash>:<plan>:<subscription, or the client address on keyless plans>[:<key>]`, or `<type>:key:<key>` with `useKeyOnly`. A refused request is not counted. The headers are set on the response during the request phase and re-applied by a step of the same policy placed in the response phase.',
  category: 'traffic',
  phases: ['request', 'response'],
  schema: RateLimitSchema,
  examples: [perClient, perTenant],
  create: createRateLimit,
});
