import { type Static, Type } from '@sinclair/typebox';
import { counterFields, counterOptions } from '../common/counter-schema.js';

export const QUOTA_UNITS = ['HOURS', 'DAYS', 'WEEKS', 'MONTHS'] as const;

/** Configuration of `quota` (Gravitee field names). */
export const QuotaSchema = Type.Object(
  {
    ...counterOptions('X-Quota-Limit, X-Quota-Remaining and X-Quota-Reset (epoch ms)'),
    quota: Type.Object(counterFields(QUOTA_UNITS, 'MONTHS'), { title: 'Quota' }),
  },
  { title: 'Quota' },
);
export type QuotaConfig = Static<typeof QuotaSchema>;
