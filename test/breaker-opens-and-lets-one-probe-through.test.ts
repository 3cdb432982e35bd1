import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { answer, metric, reset, routeState, scripted, type Arrival, type Behaviour, type Misbehaving } from './helpers/misbehaving.js';
import { startProxy, testClock, upstreamsYaml, type TestProxy } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

let up: Misbehaving | undefined;
let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await up?.close();
  proxy = up = undefined;
  clock = testClock();
});

const HALF_OPEN_AFTER_MS = 60_000; // on the test clock: nothing waits for it

/** The breakers' clock: halfOpenAfterMs passes when the test says so, not by waiting. */
let clock = testClock();
const halfOpenTimePasses = () => clock.advance(HALF_OPEN_AFTER_MS);

/** An upstream whose behaviour the test switches; 'hold' keeps responses until release(). */
async function switchable() {
  let mode: 'fail' | 'reset' | 'hold' | 'ok' = 'fail';
  const held: http.ServerResponse[] = [];
  const server = await scripted(
    (): Behaviour =>
      mode === 'fail'
        ? answer(503, 'down')
        : mode === 'reset'
          ? reset
          : mode === 'ok'
            ? answer(200, 'ok')
            : { kind: 'custom', handle: (_req, res) => void held.push(res) },
  );
  return {
    server,
    set: (m: typeof mode) => (mode = m),
    /** Answers every held response with `status`. */
    release: (status: number) => {
      for (const res of held.splice(0)) res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'probe ok' : 'probe failed');
    },
  };
}

const yaml = (url: string, consecutiveFailures = 3) =>
  upstreamsYaml({ app: url }) + `routes:\n  - { prefix: /b, upstream: app, breaker: { consecutiveFailures: ${consecutiveFailures}, halfOpenAfterMs: ${HALF_OPEN_AFTER_MS} } }\n`;

const breakerState = async (p: TestProxy) => ((await routeState(p.adminUrl, '/b')).state.breaker as { state: string }).state;
const breakerMetric = (p: TestProxy) => metric(p.adminUrl, 'strangler_breaker_state', { route: '/b', upstream: 'app' });

/** Starts `n` concurrent GETs; `settled(k)` resolves once k of them have answered. */
function concurrentGets(url: string, n: number) {
  const results: { id: string; status: number; body: string }[] = [];
  const waiters: { k: number; resolve: () => void }[] = [];
  const all = Array.from({ length: n }, async (_, i) => {
    const id = `c-${i}`;
    const r = await fetch(url, { headers: { 'x-request-id': id } });
    results.push({ id, status: r.status, body: await r.text() });
    for (let j = waiters.length - 1; j >= 0; j--) {
      if (results.length >= waiters[j]!.k) waiters.splice(j, 1)[0]!.resolve();
    }
  });
  return {
    results,
    all: Promise.all(all),
    settled: (k: number) => (results.length >= k ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ k, resolve }))),
  };
}

describe('circuit breaker', () => {
  it('opens after consecutiveFailures, stops contacting the upstream, then lets exactly one probe through and closes when it succeeds', async () => {
    const sw = await switchable();
    up = sw.server;
    proxy = await startProxy(yaml(up.url), { clock });
    expect(await breakerState(proxy)).toBe('closed');

    // Three upstream 503s in a row: each reaches the client as the upstream sent it.
    for (let i = 1; i <= 3; i++) {
      const r = await fetch(proxy.url + '/b/x', { headers: { 'x-request-id': `fail-${i}` } });
      expect(r.status).toBe(503);
      expect(await r.text()).toBe('down');
    }
    expect(up.arrivals).toHaveLength(3);
    expect(await proxy.logLine((l) => l.msg === LOG.breakerOpened)).toMatchObject({ requestId: 'fail-3', route: '/b', upstream: 'app' });
    expect(await breakerState(proxy)).toBe('open');
    expect(await breakerMetric(proxy)).toBe(1);

    // Open: answered by the proxy, the upstream is not contacted.
    const open = await fetch(proxy.url + '/b/x', { headers: { 'x-request-id': 'while-open' } });
    expect(open.status).toBe(503);
    expect(open.headers.get('content-type')).toBe('application/json');
    expect(await open.json()).toMatchObject({ error: 'circuit_open', requestId: 'while-open', route: '/b' });
    expect(up.arrivals).toHaveLength(3);

    halfOpenTimePasses();
    sw.set('hold'); // the probe is held at the upstream until every other request was answered

    const burst = concurrentGets(proxy.url + '/b/x', 50);
    const probe: Arrival = await up.arrival(4);
    await burst.settled(49);
    // Exactly one of the 50 reached the upstream; the 49 others took the open path at once.
    expect(up.arrivals).toHaveLength(4);
    const probeId = probe.headers['x-request-id'];
    const others = burst.results.filter((r) => r.id !== probeId);
    expect(others).toHaveLength(49);
    for (const r of others) {
      expect(r.status).toBe(503);
      expect(JSON.parse(r.body)).toMatchObject({ error: 'circuit_open', requestId: r.id, route: '/b' });
    }
    expect(await proxy.logLine((l) => l.msg === LOG.breakerHalfOpen)).toMatchObject({ requestId: probeId });
    expect(await breakerState(proxy)).toBe('half-open');
    expect(await breakerMetric(proxy)).toBe(2);

    // The probe succeeds: its answer reaches its client and the breaker closes.
    sw.release(200);
    await burst.all;
    expect(burst.results.find((r) => r.id === probeId)).toMatchObject({ status: 200, body: 'probe ok' });
    expect(await proxy.logLine((l) => l.msg === LOG.breakerClosed)).toMatchObject({ requestId: probeId, route: '/b', upstream: 'app' });
    expect(await breakerState(proxy)).toBe('closed');
    expect(await breakerMetric(proxy)).toBe(0);

    // Traffic flows again.
    sw.set('ok');
    for (let i = 0; i < 5; i++) expect((await fetch(proxy.url + '/b/after')).status).toBe(200);
    expect(up.arrivals).toHaveLength(9);
  });

  it('a failed probe opens it again: one more arrival, the rest circuit_open', async () => {
    const sw = await switchable();
    up = sw.server;
    proxy = await startProxy(yaml(up.url, 2), { clock });
    for (let i = 0; i < 2; i++) expect((await fetch(proxy.url + '/b/x')).status).toBe(503);
    expect(await breakerState(proxy)).toBe('open');
    halfOpenTimePasses();
    sw.set('hold');
    const burst = concurrentGets(proxy.url + '/b/x', 10);
    await up.arrival(3);
    await burst.settled(9);
    expect(up.arrivals).toHaveLength(3);
    sw.release(503);
    await burst.all;
    expect(burst.results.filter((r) => r.status === 503 && r.body === 'probe failed')).toHaveLength(1);
    expect(await breakerState(proxy)).toBe('open');
    expect(await breakerMetric(proxy)).toBe(1);
    const r = await fetch(proxy.url + '/b/x');
    expect(await r.json()).toMatchObject({ error: 'circuit_open' });
    expect(up.arrivals).toHaveLength(3);
  });

  it('counts resets as failures too, and only failures in a row', async () => {
    const sw = await switchable();
    up = sw.server;
    sw.set('reset');
    proxy = await startProxy(yaml(up.url, 3), { clock });
    // reset, reset, success, reset, reset: never three in a row, stays closed.
    for (const m of ['reset', 'reset', 'ok', 'reset', 'reset'] as const) {
      sw.set(m);
      expect((await fetch(proxy.url + '/b/x')).status).toBe(m === 'ok' ? 200 : 502);
    }
    expect(await breakerState(proxy)).toBe('closed');
    // The third reset in a row opens it.
    sw.set('reset');
    expect((await fetch(proxy.url + '/b/x')).status).toBe(502);
    expect(await breakerState(proxy)).toBe('open');
    expect(await (await fetch(proxy.url + '/b/x')).json()).toMatchObject({ error: 'circuit_open' });
    // Six requests reached it, one of them twice: the reset right after the success came on the
    // connection that success kept alive, and a GET reset there is sent once more (attempt.ts).
    expect(up.arrivals).toHaveLength(7);
  });
});
