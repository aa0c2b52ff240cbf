import { describe, expect, it } from 'vitest';
import { containsPattern, pageWindow, toDbDate } from './codec.js';

describe('pageWindow', () => {
  it('defaults to page 1 of 20 and caps at 1000', () => {
    expect(pageWindow()).toEqual({ page: 1, perPage: 20, offset: 0 });
    expect(pageWindow({ page: 3, perPage: 10 })).toEqual({ page: 3, perPage: 10, offset: 20 });
    expect(pageWindow({ perPage: 5000 }).perPage).toBe(1000);
    expect(pageWindow({ page: 0, perPage: 0 })).toEqual({ page: 1, perPage: 1, offset: 0 });
  });
});

describe('toDbDate', () => {
  it('stores canonical ISO-8601 UTC with milliseconds', () => {
    expect(toDbDate('2024-01-02T03:04:05Z')).toBe('2024-01-02T03:04:05.000Z');
    expect(toDbDate('2024-01-02T04:04:05.123+01:00')).toBe('2024-01-02T03:04:05.123Z');
  });

  it('rejects what is not a date', () => {
    expect(() => toDbDate('yesterday', 'createdAt')).toThrow(
      expect.objectContaining({ code: 'MANAGEMENT_VALIDATION_FAILED' }),
    );
  });
});

describe('containsPattern', () => {
  it('escapes the LIKE wildcards and the escape character', () => {
    expect(containsPattern('100%_!')).toBe('%100!%!_!!%');
  });
});
