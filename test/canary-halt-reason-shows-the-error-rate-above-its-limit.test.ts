// A halt's reason read "error rate 0.050 over 517 requests ... exceeds maxErrorRate 0.05" (the
// cutover walkthrough): three decimals hid the part of the rate that broke the limit.
import { describe, expect, it } from 'vitest';
import { rateAbove } from '../src/canary/rate-text.js';
import { CanaryHalt } from '../src/canary/halt.js';

describe('the error rate in a halt reason', () => {
  it('has three decimals, or as many more as it takes to read above the limit', () => {
    expect(rateAbove(26 / 517, 0.05)).toBe('0.0503');
    expect(rateAbove(0.1, 0.05)).toBe('0.100');
    expect(rateAbove(1, 0.1)).toBe('1.000');
    expect(rateAbove(0.0500001, 0.05)).toBe('0.050000'); // (six at most)
  });

  it('reads so in the halt a canary route writes: 26 errors in 517 requests against 0.05', () => {
    const halt = new CanaryHalt({ maxErrorRate: 0.05, minRequests: 517, windowMs: 60_000 }, { now: () => 1_000_000 });
    for (let i = 0; i < 491; i++) expect(halt.record(false)).toBeNull();
    for (let i = 0; i < 25; i++) expect(halt.record(true)).toBeNull(); // 516 requests: under minRequests
    expect(halt.record(true)!.reason).toBe('error rate 0.0503 over 517 requests in 60000 ms exceeds maxErrorRate 0.05');
  });
});
