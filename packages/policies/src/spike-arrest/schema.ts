import { type Static, Type } from '@sinclair/typebox';
import { counterFields, counterOptions } from '../common/counter-schema.js';

export const SPIKE_ARREST_UNITS = ['SECONDS', 'MINUTES', 'HOURS', 'DAYS'] as const;

/** Configuration of `spike-arrest` (Gravitee field names). */
export const SpikeArrestSchema = Type.Object(
  {
    ...counterOptions('X-Spike-Arrest-Limit, X-Spike-Arrest-Slice-Period and X-Spike-Arrest-Reset (epoch ms)'),
    spike: Type.Object(counterFields(SPIKE_ARREST_UNITS, 'SECONDS'), { title: 'Spike arrest' }),
  },
  { title: 'Spike arrest' },
);
export type SpikeArrestConfig = Static<typeof SpikeArrestSchema>;
