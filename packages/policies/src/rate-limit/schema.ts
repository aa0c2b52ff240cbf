import { type Static, Type } from '@sinclair/typebox';
import { counterFields, counterOptions } from '../common/counter-schema.js';

export const RATE_LIMIT_UNITS = ['SECONDS', 'MINUTES', 'HOURS', 'DAYS'] as const;

/** Configuration of `rate-limit` (Gravitee field names). */
export const RateLimitSchema = Type.Object(
  {
    ...counterOptions('X-Rate-Limit-Limit, X-Rate-Limit-Remaining and X-Rate-Limit-Reset (epoch ms)'),
    rate: Type.Object(counterFields(RATE_LIMIT_UNITS, 'SECONDS'), { title: 'Rate limit' }),
  },
  { title: 'Rate limit' },
);
export type RateLimitConfig = Static<typeof RateLimitSchema>;
