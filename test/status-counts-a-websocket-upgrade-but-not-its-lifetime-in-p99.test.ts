// A WebSocket upgrade (101) reaches the status through the access log with the connection's
// lifetime as its duration. The status counts the request on its side, but that lifetime is not
// an answer's latency: it stays out of the route's p99. Test clock; no server.
import { describe, expect, it } from 'vitest';
import { buildStatus } from '../src/status/build.js';
import { StatusBook } from '../src/status/book.js';
import { testClock } from './helpers/servers.js';

describe('a route with WebSocket upgrades', () => {
  it('counts each upgrade as a request and keeps the connection lifetimes out of p99', () => {
    const clock = testClock();
    const book = new StatusBook(clock);
    for (let i = 0; i < 50; i++) book.record('/live', 'live', 'primary', 200, 4);
    for (let i = 0; i < 5; i++) book.record('/live', 'live', 'primary', 101, 45 * 60_000); // 45-minute sockets
    clock.advance(10_000);
    const cells = book.snapshot();
    const side = cells.sides.find((s) => s.route === '/live')!;
    expect(side.window.requests).toBe(55);
    expect(side.total.requests).toBe(55);
    expect(side.window.latency.count).toBe(50);
    const status = buildStatus(
      { version: 'v1', legacyUpstream: null, routes: [{ label: '/live', prefix: '/live', host: null, upstream: 'live', shadow: null, canary: null, fallback: null }], cells, shadow: [], reloads: [] },
      new Date(clock.now()),
    );
    const primary = status.routes[0]!.sides[0]!;
    expect(primary.requests).toBe(55);
    expect(primary.p99Ms).toBeLessThan(10);
  });
});
