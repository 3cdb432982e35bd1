// The token bucket's arithmetic (src/identity/token-bucket.ts) on random rates, bursts and
// request times: it never admits more than burst + rate x elapsed over any window, refuses
// exactly when less than one token is left, and its Retry-After and reset times are exact.

import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { takeToken, tokensAt, type BucketState } from '../src/identity/token-bucket.js';

const rate = fc.oneof(fc.double({ min: 0.001, max: 10_000, noNaN: true }), fc.constantFrom(0.001, 1, 3, 7, 50, 1000));
const burst = fc.integer({ min: 1, max: 200 });
/** Gaps between requests in ms: often none (bursts), sometimes long. */
const gaps = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 100_000 })), { minLength: 1, maxLength: 300 });
const T0 = 1_800_000_000_000;

function run(perSecond: number, b: number, gapList: readonly number[]) {
  let state: BucketState | null = null;
  let now = T0;
  const out: { at: number; allowed: boolean; before: number; after: BucketState; d: ReturnType<typeof takeToken>['decision'] }[] = [];
  for (const gap of gapList) {
    now += gap;
    const before = state === null ? b : tokensAt(state, now, perSecond, b);
    const r = takeToken(state, now, perSecond, b);
    out.push({ at: now, allowed: r.decision.allowed, before, after: r.state, d: r.decision });
    state = r.state;
  }
  return out;
}

describe('the token bucket', () => {
  it('never admits more than burst + rate x elapsed over any window', () => {
    fc.assert(
      fc.property(rate, burst, gaps, (perSecond, b, g) => {
        const steps = run(perSecond, b, g);
        for (let i = 0; i < steps.length; i++) {
          let admitted = 0;
          for (let j = i; j < steps.length; j++) {
            if (steps[j]!.allowed) admitted++;
            const bound = b + (perSecond * (steps[j]!.at - steps[i]!.at)) / 1000;
            expect(admitted).toBeLessThanOrEqual(bound + 1e-9);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuses exactly when less than one token is there, and takes exactly one when it admits', () => {
    fc.assert(
      fc.property(rate, burst, gaps, (perSecond, b, g) => {
        for (const s of run(perSecond, b, g)) {
          expect(s.allowed).toBe(s.before >= 1);
          expect(s.after.tokens).toBeCloseTo(s.allowed ? s.before - 1 : s.before, 9);
          expect(s.after.tokens).toBeGreaterThanOrEqual(0);
          expect(s.after.tokens).toBeLessThanOrEqual(b);
          expect(s.d.remaining).toBe(Math.floor(s.after.tokens));
          if (s.allowed) expect(s.d.retryAfterMs).toBe(0);
        }
      }),
    );
  });

  it('an unused bucket admits exactly burst requests at one instant, then refuses', () => {
    fc.assert(
      fc.property(rate, burst, (perSecond, b) => {
        const steps = run(perSecond, b, Array.from({ length: b + 3 }, () => 0));
        expect(steps.filter((s) => s.allowed)).toHaveLength(b);
        expect(steps.slice(b).every((s) => !s.allowed)).toBe(true);
        expect(steps.map((s) => s.d.remaining).slice(0, b)).toEqual(Array.from({ length: b }, (_, i) => b - 1 - i));
      }),
    );
  });

  it('Retry-After is the first millisecond a token is back (>= 1 ms); reset the first the bucket is full', () => {
    fc.assert(
      fc.property(rate, burst, gaps, (perSecond, b, g) => {
        for (const s of run(perSecond, b, g)) {
          const { retryAfterMs, resetMs } = s.d;
          expect(resetMs).toBeGreaterThanOrEqual(0);
          expect(tokensAt(s.after, s.at + resetMs, perSecond, b)).toBe(b);
          if (resetMs > 0) expect(s.after.tokens + ((resetMs - 1) * perSecond) / 1000).toBeLessThan(b);
          if (s.allowed) continue;
          expect(retryAfterMs).toBeGreaterThanOrEqual(1);
          expect(takeToken(s.after, s.at + retryAfterMs, perSecond, b).decision.allowed).toBe(true);
          if (retryAfterMs > 1) expect(takeToken(s.after, s.at + retryAfterMs - 1, perSecond, b).decision.allowed).toBe(false);
        }
      }),
    );
  });

  it('a clock that goes back refills nothing and does not move the bucket back', () => {
    const first = takeToken(null, T0, 1, 2);
    const back = takeToken(first.state, T0 - 60_000, 1, 2);
    expect(back.decision).toMatchObject({ allowed: true, remaining: 0 });
    expect(back.state.updatedAtMs).toBe(T0);
    expect(takeToken(back.state, T0 - 30_000, 1, 2).decision.allowed).toBe(false);
  });

  it('answers at once, with finite times, for a rate too small to ever refill', async () => {
    // Run on the built module in a worker: a loop that never ends is a timeout here, not a hung
    // test run.
    const built = fileURLToPath(new URL('../dist/src/identity/token-bucket.js', import.meta.url));
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(require('node:url').pathToFileURL(workerData).href).then(({ takeToken }) => {
        const out = [];
        for (const rate of [1e-306, 5e-324, 1e-200, 1e-9]) {
          const first = takeToken(null, ${T0}, rate, 3);
          const second = takeToken({ tokens: 0.5, updatedAtMs: ${T0} }, ${T0} + 1000, rate, 3);
          out.push(first.decision, second.decision);
        }
        parentPort.postMessage(out);
      });`;
    const worker = new Worker(code, { eval: true, workerData: built });
    try {
      const answer = await new Promise<unknown>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('takeToken did not return within 2 s')), 2_000);
        worker.once('message', (m) => (clearTimeout(timer), resolve(m)));
        worker.once('error', (e) => (clearTimeout(timer), reject(e)));
      });
      const decisions = answer as { allowed: boolean; retryAfterMs: number; resetMs: number }[];
      expect(decisions).toHaveLength(8);
      for (const [i, d] of decisions.entries()) {
        expect(d.allowed).toBe(i % 2 === 0);
        expect(Number.isInteger(d.retryAfterMs) && Number.isInteger(d.resetMs)).toBe(true);
        expect(d.resetMs).toBeGreaterThanOrEqual(1);
        if (!d.allowed) expect(d.retryAfterMs).toBeGreaterThanOrEqual(1);
      }
    } finally {
      await worker.terminate();
    }
  });

  it('takeToken leaves the state it was given as it was', () => {
    const state = { tokens: 3, updatedAtMs: T0 };
    takeToken(state, T0 + 1000, 1, 5);
    expect(state).toEqual({ tokens: 3, updatedAtMs: T0 });
  });
});
