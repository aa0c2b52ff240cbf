const UNIT_MS = {
  SECONDS: 1_000,
  MINUTES: 60_000,
  HOURS: 3_600_000,
  DAYS: 86_400_000,
  WEEKS: 7 * 86_400_000,
} as const;

/** A period unit of the counter policies. */
export type PeriodUnit = keyof typeof UNIT_MS | 'MONTHS';

/**
 * The length of `time` units starting at `now`: fixed for seconds to weeks, calendar months (UTC) for MONTHS, so a
 * monthly quota opened on 31 January ends on 3 March (as `Date.setUTCMonth` rolls over) and one opened on 15 March
 * ends on 15 April.
 *
 * @example periodMs(15, 'MINUTES', Date.now()); // 900000
 */
export function periodMs(time: number, unit: PeriodUnit, now: number): number {
  if (unit !== 'MONTHS') return time * UNIT_MS[unit];
  const end = new Date(now);
  end.setUTCMonth(end.getUTCMonth() + time);
  return end.getTime() - now;
}
