import { type Static, Type } from '@sinclair/typebox';

export const TIME_UNITS = { MILLISECONDS: 1, SECONDS: 1_000, MINUTES: 60_000 } as const;

/** Configuration of `latency` (Gravitee field names). */
export const LatencySchema = Type.Object(
  {
    time: Type.Integer({ minimum: 0, title: 'Time', description: 'How long to wait.', default: 100 }),
    timeUnit: Type.Unsafe<keyof typeof TIME_UNITS>({
      type: 'string',
      enum: Object.keys(TIME_UNITS),
      title: 'Time unit',
      default: 'MILLISECONDS',
      'x-ui': { widget: 'select' },
    }),
  },
  { title: 'Latency' },
);
export type LatencyConfig = Static<typeof LatencySchema>;
