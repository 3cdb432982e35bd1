// Per-request lines (falling back, including while the breaker is open; retrying) are written at
// most once per route and reason per second, the first at once, with `count` folding in the
// occurrences in between. Driven by a test clock: nothing waits.

import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { LogAggregator } from '../src/observability/aggregate.js';
import { LOG } from '../src/observability/log-messages.js';
import { createStreamLogger } from '../src/observability/logger.js';
import { answer, refusing, scripted, type Misbehaving } from './helpers/misbehaving.js';
import { startProxy, startUpstream, testClock, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

describe('the aggregator', () => {
  const setup = () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write(c: Buffer, _e, cb) { for (const t of c.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(t)); cb(); } });
    const clock = testClock();
    return { lines, clock, agg: new LogAggregator(createStreamLogger('info', sink), { clock }) };
  };
  const at = (msg: string, reason: string, n: number) => ({ msg, reason, n });

  it('writes the first occurrence at once, folds the rest of the second into the next line', () => {
    const { lines, clock, agg } = setup();
    for (let n = 1; n <= 100; n++) agg.note('warn', 'circuit_open', at('falling back', 'circuit_open', n));
    expect(lines.map((l) => [l.n, l.count])).toEqual([[1, 1]]);
    clock.advance(999);
    agg.note('warn', 'circuit_open', at('falling back', 'circuit_open', 101));
    expect(lines).toHaveLength(1);
    clock.advance(1);
    agg.note('warn', 'circuit_open', at('falling back', 'circuit_open', 102));
    expect(lines.map((l) => [l.n, l.count])).toEqual([[1, 1], [102, 101]]);
    expect(lines[1]).toMatchObject({ level: 'warn', msg: 'falling back', reason: 'circuit_open' });
  });

  it('keeps each message and reason apart, at its own level', () => {
    const { lines, agg } = setup();
    for (let i = 0; i < 3; i++) {
      agg.note('warn', 'reset', at('falling back', 'reset', i));
      agg.note('warn', 'timeout', at('falling back', 'timeout', i));
      agg.note('info', 'reset', at('retrying', 'reset', i));
    }
    expect(lines.map((l) => `${l.level} ${l.msg} ${l.reason} ${l.count}`)).toEqual([
      'warn falling back reset 1',
      'warn falling back timeout 1',
      'info retrying reset 1',
    ]);
  });

  it('the sweep writes what a key folded once its second is over, then forgets the quiet key', () => {
    const { lines, clock, agg } = setup();
    for (let n = 1; n <= 5; n++) agg.note('warn', 'reset', at('falling back', 'reset', n));
    agg.sweep();
    expect(lines).toHaveLength(1); // the second is not over
    clock.advance(1000);
    agg.sweep();
    expect(lines.map((l) => [l.n, l.count])).toEqual([[1, 1], [5, 4]]);
    agg.sweep();
    expect(lines).toHaveLength(2); // nothing folded since
    clock.advance(1000);
    agg.sweep(); // forgotten: the next occurrence is a first one again
    agg.note('warn', 'reset', at('falling back', 'reset', 6));
    expect(lines.map((l) => [l.n, l.count])).toEqual([[1, 1], [5, 4], [6, 1]]);
  });
});

describe('through the proxy', () => {
  let up: Misbehaving | undefined, legacy: Upstream | undefined, proxy: TestProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    await Promise.all([up?.close(), legacy?.close()]);
    proxy = up = legacy = undefined;
  });

  it('100 requests falling back while the breaker is open within one second: one line; the next second carries the count', async () => {
    const clock = testClock();
    up = await scripted([answer(500, 'boom')]);
    legacy = await startUpstream((_req, res) => res.end('legacy'));
    proxy = await startProxy(
      upstreamsYaml({ users: up.url, legacy: legacy.url }) +
        'routes:\n  - { prefix: /users, upstream: users, breaker: { consecutiveFailures: 1, halfOpenAfterMs: 60000 }, fallback: legacy }\n',
      { clock },
    );
    expect(await (await fetch(proxy.url + '/users/0')).text()).toBe('legacy'); // a 500: opens the breaker
    for (let i = 1; i <= 100; i++) expect(await (await fetch(proxy.url + `/users/${i}`)).text()).toBe('legacy');
    const open = () => proxy!.logs.filter((l) => l.msg === LOG.fallingBack && l.reason === 'circuit_open');
    expect(open().map((l) => l.count)).toEqual([1]);
    expect(proxy.logs.filter((l) => l.msg === LOG.fallingBack && l.reason === 'status_5xx').map((l) => l.count)).toEqual([1]);
    clock.advance(1000);
    expect(await (await fetch(proxy.url + '/users/101', { headers: { 'x-request-id': 'next-second' } })).text()).toBe('legacy');
    expect(open().map((l) => [l.requestId, l.count])).toEqual([[open()[0]!.requestId, 1], ['next-second', 100]]);
    expect(open()[1]).toMatchObject({ route: '/users', from: 'users', to: 'legacy', level: 'warn', cause: "the circuit breaker for upstream 'users' is open" });
    // Every request is still counted one by one where counting belongs.
    const metrics = await (await fetch(proxy.adminUrl + '/metrics')).text();
    expect(metrics).toContain('strangler_fallbacks_total{route="/users",from="users",to="legacy",reason="circuit_open"} 101');
  });

  it('retries: one line per reason per second, the count folding in the rest', async () => {
    const clock = testClock();
    const gone = await refusing();
    proxy = await startProxy(
      upstreamsYaml({ app: gone.url }) + 'routes:\n  - { prefix: /r, upstream: app, retry: { attempts: 2, backoffMs: 0, maxBackoffMs: 0, budgetPercent: 100 } }\n',
      { clock },
    );
    for (let i = 0; i < 5; i++) expect((await fetch(proxy.url + '/r')).status).toBe(502);
    const retrying = () => proxy!.logs.filter((l) => l.msg === LOG.retrying);
    expect(retrying().map((l) => [l.reason, l.count])).toEqual([['connect-error', 1]]);
    clock.advance(1000);
    expect((await fetch(proxy.url + '/r')).status).toBe(502);
    // One retry per request: 5 in the first second (1 written, 4 folded); the 6th writes 5.
    expect(retrying().map((l) => [l.reason, l.count])).toEqual([['connect-error', 1], ['connect-error', 5]]);
    expect(await (await fetch(proxy.adminUrl + '/metrics')).text()).toContain('strangler_upstream_retries_total{route="/r",upstream="app",reason="connect-error"} 6');
  });
});
