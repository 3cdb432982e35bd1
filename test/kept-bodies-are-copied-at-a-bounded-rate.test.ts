// A route that mismatches on every request (a young migration) must not copy two bodies of up to
// 64 KiB per mismatch when only the last 20 are kept. A small body is held as it is (no copy). A
// big one is clipped into a copy, and those copies are paced: a burst of 20 is kept whole, then
// one more per KEEP_REFILL_MS at most, whatever the rate of mismatches. A test clock stands for time.

import { describe, expect, it } from 'vitest';
import { KEEP_REFILL_MS, KEPT_BODY_MAX_BYTES, KEPT_PER_ROUTE, MismatchBodies } from '../src/shadow/bodies.js';
import type { Captured } from '../src/shadow/diff.js';
import type { ShadowEvent } from '../src/shadow/log-line.js';

const answer = (body: Buffer): Captured => ({ status: 200, headers: { 'content-type': 'text/plain' }, body });
const BIG = Buffer.alloc(KEPT_BODY_MAX_BYTES * 4, 'b');
const SMALL = Buffer.alloc(1000, 's');
const mismatch = (route: string, i: number): ShadowEvent => ({
  at: new Date(Date.UTC(2025, 0, 1) + i).toISOString(), route, result: 'mismatch', method: 'GET', path: `${route}/${i}`,
  primaryStatus: 200, shadowStatus: 200, differences: [],
});

describe('keeping mismatch bodies', () => {
  it('copies a burst of 20 big ones, then at most one per route every KEEP_REFILL_MS', () => {
    let now = 1_000_000;
    const bodies = new MismatchBodies({ now: () => now });
    const outcomes = new Map<string, number>();
    const keep = (route: string, i: number, body = BIG) => {
      const o = bodies.keep(mismatch(route, i), 'bytes', answer(SMALL), answer(body));
      outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
    };
    for (let i = 0; i < 10_000; i++) keep('/orders', i);
    expect(Object.fromEntries(outcomes)).toEqual({ copied: KEPT_PER_ROUTE, dropped: 10_000 - KEPT_PER_ROUTE });
    // Another route has a bucket of its own.
    outcomes.clear();
    keep('/users', 0);
    expect(Object.fromEntries(outcomes)).toEqual({ copied: 1 });
    // One second of 1,000 big mismatches a millisecond: 1000 / KEEP_REFILL_MS copies more, no more.
    outcomes.clear();
    for (let ms = 1; ms <= 1000; ms++) {
      now += 1;
      for (let j = 0; j < 1000; j++) keep('/orders', ms * 1000 + j);
    }
    expect(outcomes.get('copied')).toBe(1000 / KEEP_REFILL_MS);
    const kept = bodies.list('/orders');
    expect(kept).toHaveLength(KEPT_PER_ROUTE);
    expect(kept[0]!.path).toBe(`/orders/${1000 * 1000}`);
    expect(kept[0]!.shadow).toMatchObject({ bytes: BIG.length, truncated: true });
    expect(kept[0]!.shadow.body).toHaveLength(KEPT_BODY_MAX_BYTES);
    // Small bodies are held without a copy: every one is kept, the last 20 listed.
    outcomes.clear();
    for (let i = 0; i < 1000; i++) keep('/orders', 2_000_000 + i, SMALL);
    expect(Object.fromEntries(outcomes)).toEqual({ held: 1000 });
    expect(bodies.list('/orders')[0]).toMatchObject({ path: '/orders/2000999', shadow: { bytes: 1000, truncated: false, body: 's'.repeat(1000) } });
  });

  it('a quiet route fills its bucket again: the next burst is kept whole', () => {
    let now = 0;
    const bodies = new MismatchBodies({ now: () => now });
    for (let i = 0; i < 100; i++) bodies.keep(mismatch('/r', i), 'bytes', answer(BIG), answer(BIG));
    now += KEEP_REFILL_MS * KEPT_PER_ROUTE;
    const outcomes = Array.from({ length: 100 }, (_, i) => bodies.keep(mismatch('/r', 100 + i), 'bytes', answer(BIG), answer(BIG)));
    expect(outcomes.filter((o) => o === 'copied')).toHaveLength(KEPT_PER_ROUTE);
  });

  it('copies a small body that is a view into a big buffer (holding it would keep the big one alive)', () => {
    const bodies = new MismatchBodies({ now: () => 0 });
    const view = BIG.subarray(0, 10);
    expect(bodies.keep(mismatch('/r', 1), 'bytes', answer(SMALL), answer(view))).toBe('copied');
  });
});
