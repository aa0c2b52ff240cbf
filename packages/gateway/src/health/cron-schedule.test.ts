import { describe, expect, it } from 'vitest';
import { parseCronSchedule } from './cron-schedule.js';

const at = (h: number, m: number, s: number, ms = 0) => new Date(2024, 0, 1, h, m, s, ms).getTime();

describe('parseCronSchedule', () => {
  it('fires every N seconds with */N', () => {
    expect(parseCronSchedule('*/1 * * * * *').next(at(10, 0, 0, 500))).toBe(at(10, 0, 1));
    expect(parseCronSchedule('*/5 * * * * *').next(at(10, 0, 7))).toBe(at(10, 0, 10));
    expect(parseCronSchedule('*/5 * * * * *').next(at(10, 0, 55))).toBe(at(10, 1, 0));
  });

  it('supports fixed values, lists and ranges in seconds, minutes and hours', () => {
    expect(parseCronSchedule('0 */10 * * * *').next(at(10, 3, 0))).toBe(at(10, 10, 0));
    expect(parseCronSchedule('15,45 * * * * ?').next(at(10, 0, 20))).toBe(at(10, 0, 45));
    expect(parseCronSchedule('0 0 3 * * *').next(at(10, 0, 0))).toBe(at(3, 0, 0) + 86_400_000);
    expect(parseCronSchedule('10-12 * * * * *').next(at(10, 0, 12))).toBe(at(10, 1, 10));
    expect(parseCronSchedule('* * * * *').next(at(10, 0, 1))).toBe(at(10, 1, 0)); // 5 fields: seconds 0
  });

  it('rejects what it does not support', () => {
    expect(() => parseCronSchedule('*/1 * * * *  * *')).toThrow(/6 fields/);
    expect(() => parseCronSchedule('*/0 * * * * *')).toThrow(/seconds/);
    expect(() => parseCronSchedule('61 * * * * *')).toThrow(/seconds/);
    expect(() => parseCronSchedule('0 0 0 1 * *')).toThrow(/day/);
    expect(() => parseCronSchedule('0 0 0 * * MON')).toThrow(/weekday/);
  });
});
