// util/deadlines.ts, on a test clock and a hand-run timer: each deadline's target is told once,
// at its time, in order; a cancelled one never is; the list keeps one timer waiting, never one
// per deadline, and waits again for the new earliest when the earliest was cancelled.
import { describe, expect, it } from 'vitest';
import { DeadlineList, type DeadlineTimers } from '../src/util/deadlines.js';

function testTimers(): DeadlineTimers & { t: number; pending: Array<{ at: number; fn: () => void }>; advance(ms: number): void } {
  const timers = {
    t: 0,
    pending: [] as Array<{ at: number; fn: () => void }>,
    now: () => timers.t,
    after(fn: () => void, ms: number) {
      timers.pending.push({ at: timers.t + ms, fn });
    },
    advance(ms: number) {
      const until = timers.t + ms;
      for (;;) {
        timers.pending.sort((a, b) => a.at - b.at);
        const next = timers.pending[0];
        if (next === undefined || next.at > until) break;
        timers.pending.shift();
        timers.t = next.at;
        next.fn();
      }
      timers.t = until;
    },
  };
  return timers;
}

const told = (log: string[], name: string) => ({ deadlinePassed: () => log.push(name) });

describe('a list of deadlines of one duration', () => {
  it('tells each target once, at its time, in the order they were added', () => {
    const timers = testTimers();
    const list = new DeadlineList(100, timers);
    const log: string[] = [];
    list.add(told(log, 'a'));
    timers.advance(30);
    list.add(told(log, 'b'));
    timers.advance(69);
    expect(log).toEqual([]);
    timers.advance(1); // t = 100: a's deadline
    expect(log).toEqual(['a']);
    timers.advance(29);
    expect(log).toEqual(['a']);
    timers.advance(1); // t = 130: b's
    expect(log).toEqual(['a', 'b']);
    timers.advance(1000);
    expect(log).toEqual(['a', 'b']);
    expect(list.size).toBe(0);
  });

  it('never tells a cancelled deadline, and waits again for the next once the earliest is cancelled', () => {
    const timers = testTimers();
    const list = new DeadlineList(100, timers);
    const log: string[] = [];
    const a = list.add(told(log, 'a'));
    timers.advance(10);
    list.add(told(log, 'b'));
    timers.advance(10);
    const c = list.add(told(log, 'c'));
    a.cancel();
    c.cancel();
    c.cancel(); // (twice: a no-op)
    timers.advance(80); // t = 100: a's timer fires, nothing due
    expect(log).toEqual([]);
    timers.advance(9);
    expect(log).toEqual([]);
    timers.advance(1); // t = 110: b's deadline
    expect(log).toEqual(['b']);
    timers.advance(500);
    expect(log).toEqual(['b']);
  });

  it('keeps one timer for any number of deadlines', () => {
    const timers = testTimers();
    const list = new DeadlineList(1000, timers);
    const log: string[] = [];
    for (let i = 0; i < 50; i++) {
      const d = list.add(told(log, String(i)));
      timers.advance(1);
      if (i % 2 === 0) d.cancel();
    }
    expect(timers.pending.length).toBe(1);
    expect(list.size).toBe(25);
    timers.advance(1000);
    expect(log).toEqual(Array.from({ length: 25 }, (_, k) => String(2 * k + 1)));
    expect(timers.pending.length).toBe(0);
  });

  it('arms again after it emptied', () => {
    const timers = testTimers();
    const list = new DeadlineList(50, timers);
    const log: string[] = [];
    list.add(told(log, 'a')).cancel();
    timers.advance(50); // fires, nothing left: no timer
    expect(timers.pending.length).toBe(0);
    list.add(told(log, 'b'));
    timers.advance(50);
    expect(log).toEqual(['b']);
  });
});
