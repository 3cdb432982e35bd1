// The per-process rate-limit store: buckets by key on an injected clock, held in a Map bounded by
// maxKeys where the least recently used bucket is dropped (and starts full again if it returns).

import { describe, expect, it } from 'vitest';
import { LocalRateLimitStore } from '../src/identity/local-store.js';
import { testClock } from './helpers/servers.js';

describe('the local rate-limit store', () => {
  it('refills on the clock it is given', () => {
    const clock = testClock();
    const store = new LocalRateLimitStore({ clock });
    expect([1, 2, 3].map(() => store.take('k', 2, 2).allowed)).toEqual([true, true, false]);
    const refused = store.take('k', 2, 2);
    expect(refused).toEqual({ allowed: false, remaining: 0, retryAfterMs: 500, resetMs: 1000 });
    clock.advance(499);
    expect(store.take('k', 2, 2).allowed).toBe(false);
    clock.advance(1);
    expect(store.take('k', 2, 2)).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0, resetMs: 1000 });
  });

  it('keeps one bucket per key', () => {
    const store = new LocalRateLimitStore({ clock: testClock() });
    expect(store.take('a', 1, 1).allowed).toBe(true);
    expect(store.take('a', 1, 1).allowed).toBe(false);
    expect(store.take('b', 1, 1).allowed).toBe(true);
  });

  it('holds at most maxKeys buckets, dropping the least recently used (to within a second)', () => {
    const clock = testClock();
    const store = new LocalRateLimitStore({ maxKeys: 3, clock });
    for (const k of ['a', 'b', 'c']) store.take(k, 0.001, 1);
    clock.advance(1000);
    store.take('a', 0.001, 1); // a is now the most recently used: b is the oldest
    store.take('d', 0.001, 1); // drops b
    expect(store.size).toBe(3);
    expect(store.take('a', 0.001, 1).allowed).toBe(false); // kept, still empty
    expect(store.take('c', 0.001, 1).allowed).toBe(false); // kept
    expect(store.take('b', 0.001, 1).allowed).toBe(true); // dropped: starts full again
    expect(store.size).toBe(3);
  });

  it('keeps a client that keeps coming within the second in its place', () => {
    const clock = testClock();
    const store = new LocalRateLimitStore({ maxKeys: 2, clock });
    store.take('a', 0.001, 1);
    store.take('b', 0.001, 1);
    store.take('a', 0.001, 1); // within the second: not moved, a is still the oldest
    store.take('c', 0.001, 1); // drops a
    expect(store.take('a', 0.001, 1).allowed).toBe(true);
  });

  it('stays at maxKeys under a flood of distinct keys', () => {
    const store = new LocalRateLimitStore({ maxKeys: 1000, clock: testClock() });
    for (let i = 0; i < 50_000; i++) store.take(`client-${i}`, 1, 1);
    expect(store.size).toBe(1000);
    // The most recent thousand are the ones kept.
    expect(store.take('client-49999', 1, 1).allowed).toBe(false);
    expect(store.take('client-0', 1, 1).allowed).toBe(true);
  });
});
