// The progressive canary's decision over one step's figures (pure): hold below minRequests, halt
// on the error rate or the p99 ratio, else move up; figures from several workers merge by adding.
import { describe, expect, it } from 'vitest';
import { countAnswer, decideStep, emptyStepStats, mergeStepStats, type StepStats } from '../src/canary/gates.js';

const gates = { maxErrorRate: 0.05, maxP99Ratio: 1.5, minRequests: 20 };

/** `n` answers on one side, `failed` of them failed, each taking `ms`. */
function add(s: StepStats, canary: boolean, n: number, ms: number, failed = 0): StepStats {
  for (let i = 0; i < n; i++) countAnswer(s, canary, i < failed, ms);
  return s;
}

describe('decideStep', () => {
  it('moves up when the canary had minRequests, few errors and a p99 close to the primary\'s', () => {
    const s = add(add(emptyStepStats(), true, 40, 12, 1), false, 200, 10);
    const d = decideStep(s, gates);
    expect(d.result).toBe('advance');
    expect(d.figures).toMatchObject({ requests: 40, errorRate: 0.025, primaryRequests: 200 });
    expect(d.figures.p99Ms).toBeCloseTo(12, 0);
    expect(d.figures.primaryP99Ms).toBeCloseTo(10, 0);
  });

  it('holds below minRequests, however bad the figures', () => {
    const s = add(add(emptyStepStats(), true, 19, 500, 19), false, 100, 1);
    const d = decideStep(s, gates);
    expect(d.result).toBe('hold');
    expect(d.reason).toContain('fewer than minRequests 20');
  });

  it('halts when the error rate exceeds maxErrorRate (at exactly the limit it moves up)', () => {
    expect(decideStep(add(add(emptyStepStats(), true, 20, 10, 1), false, 20, 10), gates).result).toBe('advance'); // 0.05
    const d = decideStep(add(add(emptyStepStats(), true, 20, 10, 2), false, 20, 10), gates); // 0.1
    expect(d.result).toBe('halt');
    expect(d.reason).toMatch(/error rate 0\.100 over 20 requests exceeds maxErrorRate 0\.05/);
  });

  it('halts when the canary\'s p99 exceeds maxP99Ratio times the primary\'s', () => {
    const d = decideStep(add(add(emptyStepStats(), true, 100, 40), false, 100, 20), gates);
    expect(d.result).toBe('halt');
    expect(d.reason).toContain("exceeds maxP99Ratio 1.5 x the primary's p99");
    // 1.4x is within the gate.
    expect(decideStep(add(add(emptyStepStats(), true, 100, 28), false, 100, 20), gates).result).toBe('advance');
  });

  it('leaves the latency gate out when the primary had no requests in the step', () => {
    const d = decideStep(add(emptyStepStats(), true, 30, 900), gates);
    expect(d.result).toBe('advance');
    expect(d.figures.primaryP99Ms).toBeNull();
  });

  it('decides the same over two workers\' merged figures as over all the answers in one', () => {
    const a = add(add(emptyStepStats(), true, 12, 10, 1), false, 50, 10);
    const b = add(add(emptyStepStats(), true, 12, 10, 1), false, 50, 10);
    const one = add(add(emptyStepStats(), true, 24, 10, 2), false, 100, 10);
    const merged = mergeStepStats(a, b);
    expect(merged).toEqual(one);
    expect(decideStep(a, gates).result).toBe('hold'); // 12 each: neither worker alone has minRequests
    expect(decideStep(merged, gates)).toEqual(decideStep(one, gates));
    expect(decideStep(merged, gates).result).toBe('halt'); // 2/24 > 0.05
  });
});
