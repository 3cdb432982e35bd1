import http from 'node:http';
import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { answer, hang, metric, reset, routeState, scripted, type Behaviour, type Misbehaving } from './helpers/misbehaving.js';
import { startProxy, testClock, type TestProxy } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

let up: Misbehaving | undefined;
let proxy: TestProxy | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await proxy?.close();
  await up?.close();
  proxy = up = undefined;
});

/** A GET through node:http without keep-alive; errors are expected (the test aborts it). */
function get(url: string, id: string): http.ClientRequest {
  const req = http.get(url, { agent: false, headers: { 'x-request-id': id } });
  req.on('error', () => {});
  return req;
}

const accessLine = (p: TestProxy, id: string) => p.logLine((l) => l.msg === LOG.request && l.requestId === id);

describe('the client closing its connection', () => {
  it('cancels a retry pending in its backoff: the upstream never sees it', async () => {
    const BACKOFF_MS = 2000;
    // Full jitter picks the delay in [0, backoffMs); pin it near the top so that the abort surely
    // falls inside the backoff (Math.random is the platform's, not the proxy's code).
    vi.spyOn(Math, 'random').mockReturnValue(0.99);
    up = await scripted([reset, answer(200, 'answer')]);
    // One connection to the upstream: requests reach it in the order the proxy dispatched them,
    // so a probe sent after the retry was due would queue behind that retry, had it been sent.
    proxy = await startProxy(
      `upstreams:\n  app: { url: "${up.url}", connections: 1 }\n` +
        'routes:\n' +
        `  - { prefix: /r, upstream: app, retry: { attempts: 3, backoffMs: ${BACKOFF_MS}, maxBackoffMs: ${BACKOFF_MS}, on: [reset] } }\n` +
        '  - { prefix: /probe, upstream: app }\n',
    );
    const req = get(proxy.url + '/r/x', 'abort-1');
    const retrying = await proxy.logLine((l) => l.msg === LOG.retrying && l.requestId === 'abort-1');
    expect(retrying).toMatchObject({ reason: 'reset', delayMs: Math.floor(0.99 * BACKOFF_MS) });
    expect(up.arrivals).toHaveLength(1);

    req.destroy(); // during the backoff
    await new Promise((resolve) => req.once('close', resolve));
    expect(await accessLine(proxy, 'abort-1')).toMatchObject({ status: 499, error: 'client_closed' });

    // Wait until the retry was due: this waits for the behaviour under test (the moment the
    // retry would be sent; the jittered delay is always below backoffMs), it does not synchronise.
    await new Promise<void>((resolve) => setTimeout(resolve, BACKOFF_MS));
    const probe = await fetch(proxy.url + '/probe/after');
    expect(probe.status).toBe(200);
    expect(await probe.text()).toBe('answer');
    // Had the retry been dispatched when due, it would have reached the upstream before the probe.
    expect(up.arrivals.map((a) => a.url)).toEqual(['/r/x', '/probe/after']);
    expect(await metric(proxy.adminUrl, 'strangler_upstream_retries_total')).toBe(0); // announced (the log line), never sent: not counted
  });

  it('aborts the try in flight, and client aborts do not count as upstream failures for the breaker', async () => {
    let mode: 'hang' | 'ok' = 'hang';
    up = await scripted((): Behaviour => (mode === 'hang' ? hang : answer(200, 'fine')));
    proxy = await startProxy(
      `upstreams:\n  app: { url: "${up.url}" }\n` +
        'routes:\n  - { prefix: /r, upstream: app, retry: { attempts: 3, backoffMs: 0, maxBackoffMs: 0, on: [reset, timeout, 503] }, breaker: { consecutiveFailures: 2, halfOpenAfterMs: 60000 } }\n',
    );
    for (let i = 1; i <= 3; i++) {
      const req = get(proxy.url + '/r/wait', `gone-${i}`);
      const arrival = await up.arrival(i);
      req.destroy();
      await arrival.socketClosed; // the proxy aborted the upstream request
      expect(await accessLine(proxy, `gone-${i}`)).toMatchObject({ status: 499, error: 'client_closed' });
    }
    // Three clients left; the upstream never failed: no retry was sent, the breaker stayed closed.
    expect(up.arrivals).toHaveLength(3);
    expect(await metric(proxy.adminUrl, 'strangler_upstream_retries_total')).toBe(0);
    expect(((await routeState(proxy.adminUrl, '/r')).state.breaker as { state: string }).state).toBe('closed');
    expect(await metric(proxy.adminUrl, 'strangler_breaker_state', { route: '/r' })).toBe(0);
    mode = 'ok';
    const r = await fetch(proxy.url + '/r/now');
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('fine');
  });

  it('aborts the upstream response of a committed try that is still streaming', async () => {
    up = await scripted([
      {
        kind: 'custom',
        handle: (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('streaming...'); // and never ends
        },
      },
    ]);
    proxy = await startProxy(
      `upstreams:\n  app: { url: "${up.url}" }\n` + 'routes:\n  - { prefix: /r, upstream: app, retry: { attempts: 3, backoffMs: 0, maxBackoffMs: 0 } }\n',
    );
    const req = get(proxy.url + '/r/stream', 'gone-mid-body');
    const [res] = (await once(req, 'response')) as [http.IncomingMessage];
    expect(res.statusCode).toBe(200);
    await once(res, 'data');
    req.destroy();
    await up.arrivals[0]!.socketClosed;
    expect(await accessLine(proxy, 'gone-mid-body')).toMatchObject({ status: 200, error: 'client_closed' });
    expect(up.arrivals).toHaveLength(1);
  });

  it('a half-open trial whose client left does not close the breaker (it proved nothing)', async () => {
    let mode: 'fail' | 'hang' = 'fail';
    up = await scripted((): Behaviour => (mode === 'fail' ? answer(503, 'down') : hang));
    const HALF_OPEN_AFTER_MS = 60_000; // on the test clock
    const clock = testClock();
    proxy = await startProxy(
      `upstreams:\n  app: { url: "${up.url}" }\n` +
        `routes:\n  - { prefix: /r, upstream: app, breaker: { consecutiveFailures: 2, halfOpenAfterMs: ${HALF_OPEN_AFTER_MS} } }\n`,
      { clock },
    );
    for (let i = 0; i < 2; i++) expect((await fetch(proxy.url + '/r/x')).status).toBe(503);
    const breaker = async () => ((await routeState(proxy!.adminUrl, '/r')).state.breaker as { state: string }).state;
    expect(await breaker()).toBe('open');
    clock.advance(HALF_OPEN_AFTER_MS);
    mode = 'hang';
    const trial = get(proxy.url + '/r/trial', 'trial-1');
    const arrival = await up.arrival(3);
    expect(await proxy.logLine((l) => l.msg === LOG.breakerHalfOpen)).toMatchObject({ requestId: 'trial-1' });
    trial.destroy();
    await arrival.socketClosed;
    await accessLine(proxy, 'trial-1');
    expect(await breaker()).not.toBe('closed');
    expect(await metric(proxy.adminUrl, 'strangler_breaker_state', { route: '/r' })).not.toBe(0);
    expect(proxy.logs.filter((l) => l.msg === LOG.breakerClosed)).toHaveLength(0);
  });
});
