/**
 * The schedules of health checks: Gravitee cron expressions with seconds (`sec min hour day month weekday`), parsed
 * once at deploy time.
 *
 * Supported: in the seconds, minutes and hours fields `*`, `*\/N`, `A-B`, `A-B/N`, fixed values and lists of these
 * (`0,30`); the day, month and weekday fields must be `*` or `?` (a health check runs every day). Anything else is
 * rejected with an error naming the field.
 */

/** A parsed schedule: when the next run is due. */
export interface CronSchedule {
  /** The source expression. */
  readonly expression: string;
  /** Epoch milliseconds of the first run strictly after `from` (epoch milliseconds). */
  next(from: number): number;
}

const FIELDS = [
  { name: 'seconds', max: 59 },
  { name: 'minutes', max: 59 },
  { name: 'hours', max: 23 },
] as const;

function parseField(source: string, name: string, max: number): boolean[] {
  const allowed: boolean[] = new Array(max + 1).fill(false);
  for (const part of source.split(',')) {
    const match = /^(\*|\d+(?:-\d+)?)(?:\/(\d+))?$/.exec(part);
    if (match === null) throw new Error(`cron ${name} field [${source}] is not supported`);
    const [, range, stepText] = match;
    const step = stepText === undefined ? 1 : Number(stepText);
    let from = 0;
    let to = max;
    if (range !== '*') {
      const [a, b] = range!.split('-');
      from = Number(a);
      to = b === undefined ? (stepText === undefined ? from : max) : Number(b);
    }
    if (step < 1 || from > to || to > max) throw new Error(`cron ${name} field [${source}] is out of range`);
    for (let value = from; value <= to; value += step) allowed[value] = true;
  }
  return allowed;
}

/**
 * Parses a 6-field cron expression (a 5-field one gets `0` seconds prepended, as a plain crontab).
 *
 * @example parseCronSchedule('*\/5 * * * * *').next(Date.now()) // the next multiple of 5 seconds
 */
export function parseCronSchedule(expression: string): CronSchedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length === 5) parts.unshift('0');
  if (parts.length !== 6) throw new Error(`cron expression [${expression}] must have 6 fields`);
  const [seconds, minutes, hours] = FIELDS.map((field, i) => parseField(parts[i]!, field.name, field.max));
  for (const [i, name] of [
    [3, 'day'],
    [4, 'month'],
    [5, 'weekday'],
  ] as const) {
    if (parts[i] !== '*' && parts[i] !== '?') throw new Error(`cron ${name} field [${parts[i]}] is not supported`);
  }
  return {
    expression,
    next(from: number): number {
      // Local time, as cron: walk forward, skipping whole hours and minutes that cannot match (at most a day).
      const at = new Date(Math.floor(from / 1000) * 1000 + 1000);
      for (let guard = 0; guard < 100_000; guard++) {
        if (!hours![at.getHours()]) {
          at.setHours(at.getHours() + 1, 0, 0, 0);
        } else if (!minutes![at.getMinutes()]) {
          at.setMinutes(at.getMinutes() + 1, 0, 0);
        } else if (!seconds![at.getSeconds()]) {
          at.setSeconds(at.getSeconds() + 1, 0);
        } else return at.getTime();
      }
      throw new Error(`cron expression [${expression}] never fires`);
    },
  };
}
