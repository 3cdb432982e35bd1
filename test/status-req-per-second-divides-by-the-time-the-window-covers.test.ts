// req/s over the status's window divides by the time the window actually covers: the current
// 10-second slot's elapsed part and the 29 before it (290 to 300 s), or less while the process is
// younger than that (even under 10 s). Merged processes (workers, replicas) each count over their
// own covered time: a replica up 30 s is not spread over another's 5 minutes. Test clock.
import { describe, expect, it } from 'vitest';
import { buildStatus } from '../src/status/build.js';
import { StatusBook } from '../src/status/book.js';
import { mergeCells, mergeInputs, type StatusInput } from '../src/status/merge.js';
import type { StatusCells } from '../src/status/cells.js';
import { testClock } from './helpers/servers.js';

const START = 1_800_000_000_000; // a multiple of 10 s
const ROUTE = { label: '/users', prefix: '/users', host: null, upstream: 'users', shadow: null, canary: null, fallback: null };

function input(cells: StatusCells): StatusInput {
  return { version: 'v1', legacyUpstream: null, routes: [ROUTE], cells, shadow: [], reloads: [] };
}
const rpsOf = (cells: StatusCells, at: number) => buildStatus(input(cells), new Date(at)).routes[0]!.sides[0]!.rps;

describe('req/s over the window', () => {
  it('divides by the covered time just after a slot boundary, at one, and in a process up 2 s', () => {
    const clock = testClock(START);
    const book = new StatusBook(clock);
    clock.advance(3_600_000); // an hour up: now on a slot boundary T
    const t = clock.now();
    // One request a second from the oldest slot the window sums at T + 1 s, up to T + 0.5 s.
    for (let k = 0; k <= 290; k++) {
      clock.advance(k === 0 ? -290_000 + 500 : 1000);
      book.record('/users', 'users', 'primary', 200, 3);
    }
    expect(clock.now()).toBe(t + 500);
    clock.advance(500); // T + 1 s: 29 whole slots and 1 s of the current one
    let cells = book.snapshot();
    expect(cells.windowMs).toBe(291_000);
    expect(cells.sides[0]!.window.requests).toBe(291);
    expect(rpsOf(cells, clock.now())).toBe(1);

    for (let k = 0; k < 9; k++) {
      clock.advance(k === 0 ? 500 : 1000); // still one a second: T + 1.5 s ... T + 9.5 s
      book.record('/users', 'users', 'primary', 200, 3);
    }
    clock.advance(500); // T + 10 s, the next boundary: the oldest slot has left, nothing of the new one elapsed
    cells = book.snapshot();
    expect(cells.windowMs).toBe(290_000);
    expect(cells.sides[0]!.window.requests).toBe(290);
    expect(rpsOf(cells, clock.now())).toBe(1);

    const yclock = testClock(START + 3_000); // a process up 2 s (within a slot)
    const y = new StatusBook(yclock);
    for (let i = 0; i < 4; i++) y.record('/users', 'users', 'primary', 200, 3);
    yclock.advance(2_000);
    expect(y.snapshot().windowMs).toBe(2_000);
    expect(rpsOf(y.snapshot(), yclock.now())).toBe(2);
  });
});

describe('req/s merged over processes up for different times', () => {
  it('adds each one\'s rate over its own covered time, and keeps it when merged again', () => {
    const clock = testClock(START);
    const old = new StatusBook(clock);
    clock.advance(3_600_000 - 30_000);
    const young = new StatusBook(clock); // a replica (or a replacement worker) up 30 s at the end
    const third = new StatusBook(clock);
    for (let s = 0; s < 30; s++) {
      for (let i = 0; i < 3; i++) old.record('/users', 'users', 'primary', 200, 3); // 3 req/s
      young.record('/users', 'users', 'primary', 200, 3); // 1 req/s
      clock.advance(1000);
    }
    third.record('/users', 'users', 'primary', 200, 3);
    const now = clock.now();
    const [a, b, c] = [old.snapshot(), young.snapshot(), third.snapshot()];
    expect(a.windowMs).toBe(290_000);
    expect(b.windowMs).toBe(30_000);
    expect(rpsOf(a, now)).toBe(Math.round((90 / 290) * 1000) / 1000);
    expect(rpsOf(b, now)).toBe(1);

    const ab = mergeCells([a, b]);
    expect(ab.sides[0]!.window.requests).toBe(120);
    expect(rpsOf(ab, now)).toBe(Math.round((90 / 290 + 1) * 1000) / 1000);
    // Merged again (the primary's workers, then replicas in `strangler status`): the same sum.
    const abc = mergeCells([ab, c]);
    expect(rpsOf(abc, now)).toBe(Math.round((90 / 290 + 1 + 1 / 30) * 1000) / 1000);
    const replicas = mergeInputs([input(ab), input(c)]);
    expect(buildStatus(replicas, new Date(now)).routes[0]!.sides[0]!.rps).toBe(Math.round((90 / 290 + 1 + 1 / 30) * 1000) / 1000);
  });
});
