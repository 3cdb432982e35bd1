// util/iso-time.ts formats the second once and adds the milliseconds: every time it is given
// must read exactly as Date.prototype.toISOString reads it, across second, minute, day and year
// boundaries, out of order, with fractions, and outside the four-digit years.
import { describe, expect, it } from 'vitest';
import { isoTime } from '../src/util/iso-time.js';

describe('isoTime', () => {
  it('reads as toISOString around second, minute, day and year boundaries', () => {
    const edges = [Date.UTC(2026, 11, 5, 12, 0, 0), Date.UTC(2026, 11, 31, 23, 59, 59), Date.UTC(2024, 1, 29, 0, 0, 0), 0, 1000, 999];
    const times: number[] = [];
    for (const e of edges) for (let d = -1500; d <= 1500; d += 7) times.push(e + d);
    for (const t of times.filter((t) => t >= 0)) expect(isoTime(t)).toBe(new Date(t).toISOString());
  });

  it('reads as toISOString for times out of order (a cached second is never reused for another)', () => {
    const base = Date.UTC(2026, 11, 5, 12, 0, 0);
    for (const t of [base + 5, base - 995, base + 5, base + 1005, base + 5, base + 86_400_000 + 5, base + 5]) {
      expect(isoTime(t)).toBe(new Date(t).toISOString());
    }
  });

  it('drops a fraction of a millisecond as a Date does', () => {
    for (const t of [1_764_936_000_000.999, 1_764_936_000_999.5, 0.25, 12.75]) expect(isoTime(t)).toBe(new Date(t).toISOString());
  });

  it('leaves times before 1970 and past the year 9999 to toISOString, and throws as it does for an invalid time', () => {
    for (const t of [-1, -86_400_001.5, 253_402_300_800_000, 8.64e15]) expect(isoTime(t)).toBe(new Date(t).toISOString());
    expect(() => isoTime(NaN)).toThrow(RangeError);
    expect(() => isoTime(8.64e15 + 1)).toThrow(RangeError);
  });
});
