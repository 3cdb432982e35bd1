// The status's per-side figures (status/book.ts, side-cell.ts) on a test clock: the window holds
// the last 5 minutes in 10-second slots and lets older requests go, since-start keeps them; the
// series has a point per 10 s (an hour at most); merged cells add up as the whole.

import { describe, expect, it } from 'vitest';
import { StatusBook } from '../src/status/book.js';
import { mergeCells } from '../src/status/merge.js';
import { SideCell } from '../src/status/side-cell.js';
import { emptyHistogram, observe } from '../src/shadow/histogram.js';
import { testClock } from './helpers/servers.js';

const START = 1_800_000_000_000; // a multiple of 10 s

describe('a side cell', () => {
  it('keeps the last 5 minutes in the window and everything since start', () => {
    const c = new SideCell('users', 'primary');
    c.record(START, false, 5);
    c.record(START + 1_000, true, 50);
    c.record(START + 120_000, false, 7);
    expect(c.window(START + 120_000)).toMatchObject({ requests: 3, errors: 1 });
    expect(c.window(START + 299_999)).toMatchObject({ requests: 3, errors: 1 });
    // The first slot [START, START + 10 s) leaves the window 5 minutes after it started.
    expect(c.window(START + 300_000)).toMatchObject({ requests: 1, errors: 0 });
    expect(c.window(START + 300_000).latency.count).toBe(1);
    expect(c.window(START + 430_000)).toMatchObject({ requests: 0, errors: 0 });
    expect(c.totals()).toMatchObject({ requests: 3, errors: 1 });
    expect(c.totals().latency.maxMs).toBe(50);
    // The same histogram as the shadow report's (it merges with them, p99 read the same way).
    const h = emptyHistogram();
    for (const ms of [5, 50, 7]) observe(h, ms);
    expect(JSON.parse(JSON.stringify(c.totals().latency))).toEqual(h);
  });

  it('starts a slot afresh when it comes round again, long after', () => {
    const c = new SideCell('users', 'primary');
    c.record(START, false, 1);
    c.record(START + 300_000, false, 1); // the same slot index, 30 slots later
    expect(c.window(START + 300_000)).toMatchObject({ requests: 1 });
    c.record(START + 3_600_000 + 5_000, true, 1);
    expect(c.window(START + 3_600_000 + 5_000)).toMatchObject({ requests: 1, errors: 1 });
    expect(c.totals()).toMatchObject({ requests: 3, errors: 1 });
  });
});

describe('the book', () => {
  it('gives a series point per 10 s since start, quiet ones as zeros, at most an hour', () => {
    const clock = testClock(START);
    const book = new StatusBook(clock);
    book.record('/users', 'users', 'primary', 200, 3);
    book.record('/', 'legacy', 'primary', 200, 3); // no table yet: no legacy upstream, so not legacy
    clock.advance(25_000);
    book.record('/users', 'users', 'primary', 502, 3);
    let s = book.snapshot();
    expect(s.series).toEqual([
      { at: new Date(START).toISOString(), requests: 2, nonLegacy: 2 },
      { at: new Date(START + 10_000).toISOString(), requests: 0, nonLegacy: 0 },
      { at: new Date(START + 20_000).toISOString(), requests: 1, nonLegacy: 1 },
    ]);
    expect(s.windowMs).toBe(25_000);
    clock.advance(2 * 3_600_000);
    s = book.snapshot();
    expect(s.series).toHaveLength(360);
    expect(s.series.every((p) => p.requests === 0)).toBe(true);
    expect(s.windowMs).toBe(295_000); // 29 whole slots and the current one's 5 s
    expect(s.sides.find((x) => x.route === '/users')).toMatchObject({ window: { requests: 0 }, total: { requests: 2, errors: 1 } });
  });

  it('counts fallbacks on their own side and in fallbacks; keeps the last 10 reloads, newest first', () => {
    const clock = testClock(START);
    const book = new StatusBook(clock);
    book.record('/gone', 'legacy', 'fallback', 200, 1);
    book.record('/gone', 'legacy', 'fallback', 503, 1);
    const s = book.snapshot();
    expect(s.fallbacks).toEqual({ '/gone': 2 });
    expect(s.sides).toMatchObject([{ route: '/gone', upstream: 'legacy', role: 'fallback', window: { requests: 2, errors: 1 } }]);
    for (let i = 0; i < 12; i++) {
      clock.advance(1000);
      book.reloaded({ result: 'success', version: `v${i}`, previousVersion: '', changes: [`routes[0].upstream: a -> v${i}`] }, 'watch');
    }
    book.reloaded({ result: 'error', message: 'boom' }, 'admin');
    expect(book.reloads).toHaveLength(10);
    expect(book.reloads[0]).toEqual({ at: new Date(clock.now()).toISOString(), result: 'error', trigger: 'admin', changes: ['boom'] });
    expect(book.reloads[1]!.changes).toEqual(['routes[0].upstream: a -> v11']);
  });

  it('merges the cells of two processes as the cells of all their requests', () => {
    const clock = testClock(START);
    const [a, b, whole] = [new StatusBook(clock), new StatusBook(clock), new StatusBook(clock)];
    const traffic: [StatusBook, string, string, number, number][] = [
      [a, '/users', 'users', 200, 3], [b, '/users', 'users', 500, 80], [a, '/', 'legacy', 200, 1], [b, '/users', 'users', 200, 12],
    ];
    for (const [book, route, upstream, status, ms] of traffic) {
      book.record(route, upstream, 'primary', status, ms);
      whole.record(route, upstream, 'primary', status, ms);
      clock.advance(4_000);
    }
    const merged = mergeCells([a.snapshot(), b.snapshot()]);
    const all = whole.snapshot();
    const byKey = (s: typeof all) => Object.fromEntries(s.sides.map((x) => [`${x.route} ${x.upstream}`, { window: x.window, total: x.total }]));
    expect(byKey(merged)).toEqual(byKey(all));
    expect(merged.series).toEqual(all.series);
  });
});
