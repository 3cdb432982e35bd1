import { afterEach, describe, expect, it } from 'vitest';
import { hanging, metric, routeState, type Misbehaving } from './helpers/misbehaving.js';
import { startProxy, testClock, upstreamsYaml, type TestProxy } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

let up: Misbehaving | undefined;
let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await up?.close();
  proxy = up = undefined;
});

describe('timeoutMs bounds the whole exchange, retries included', () => {
  it('splits timeoutMs across the tries when timeout is retryable: every try gets its share, then 504, every hung request aborted', async () => {
    up = await hanging();
    // 600 ms over 3 tries: 200 ms each. No backoff, so that the third try starts well inside the
    // budget (its share is what it waits, not what it takes to start).
    proxy = await startProxy(
      upstreamsYaml({ app: up.url }) +
        'routes:\n  - { prefix: /t, upstream: app, timeoutMs: 600, retry: { attempts: 3, backoffMs: 0, maxBackoffMs: 0, on: [timeout] } }\n',
      { clock: testClock() }, // the retry lines' one-second aggregation window, held still
    );
    expect((await routeState(proxy.adminUrl, '/t')).state.perTryTimeoutMs).toBe(200);
    const r = await fetch(proxy.url + '/t/slow', { headers: { 'x-request-id': 'slow-1' } });
    expect(r.status).toBe(504);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(await r.json()).toEqual({
      error: 'upstream_timeout',
      message: "no response from upstream 'app' within 600 ms",
      requestId: 'slow-1',
      route: '/t',
    });
    expect(up.arrivals).toHaveLength(3);
    // The proxy aborted each try: every upstream-side socket closes.
    await Promise.all(up.arrivals.map((a) => a.socketClosed));
    expect(await metric(proxy.adminUrl, 'strangler_upstream_retries_total', { route: '/t', reason: 'timeout' })).toBe(2);
    // Repeated lines are aggregated per route and reason per second: the second retry is folded
    // into the next line (contract v2), the metric above counts both.
    const retried = proxy.logs.filter((l) => l.msg === LOG.retrying && l.requestId === 'slow-1');
    expect(retried.map((l) => [l.reason, l.count])).toEqual([['timeout', 1]]);
    expect(await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'slow-1')).toMatchObject({ status: 504, error: 'upstream_timeout' });
  });

  it('gives a request no timeout could retry (a POST without Idempotency-Key) the whole timeoutMs, not a try\'s share', async () => {
    up = await hanging();
    // 900 ms over 3 tries: a share is 300 ms. A POST that reached the upstream is never sent
    // again, so cutting it at 300 ms would only answer 504 sooner while the upstream goes on.
    proxy = await startProxy(
      upstreamsYaml({ app: up.url }) +
        'routes:\n  - { prefix: /t, upstream: app, timeoutMs: 900, retry: { attempts: 3, backoffMs: 0, maxBackoffMs: 0, on: [timeout] } }\n',
    );
    const sentAt = performance.now();
    const r = await fetch(proxy.url + '/t/order', { method: 'POST', body: 'x=1', headers: { 'x-request-id': 'post-1' } });
    expect(r.status).toBe(504);
    expect(await r.json()).toMatchObject({ error: 'upstream_timeout', message: "no response from upstream 'app' within 900 ms" });
    expect(up.arrivals).toHaveLength(1);
    await up.arrivals[0]!.socketClosed;
    // A lower bound only (a timer never fires before its time): the try was not aborted at its
    // 300 ms share but when the whole 900 ms ran out.
    expect(performance.now() - sentAt).toBeGreaterThanOrEqual(850);

    // With an Idempotency-Key the same POST may be retried, so each try gets its share.
    const k = await fetch(proxy.url + '/t/order', { method: 'POST', body: 'x=1', headers: { 'idempotency-key': 'k-1' } });
    expect(k.status).toBe(504);
    expect(up.arrivals).toHaveLength(4);
  });

  it('answers 504 upstream_timeout (not 502) on a resilient route whose timeout is not retryable, and aborts the request', async () => {
    up = await hanging();
    proxy = await startProxy(
      upstreamsYaml({ app: up.url }) +
        'routes:\n  - { prefix: /t, upstream: app, timeoutMs: 200, retry: { attempts: 3, backoffMs: 0, maxBackoffMs: 0, on: [reset, 503] }, breaker: { consecutiveFailures: 5, halfOpenAfterMs: 60000 } }\n',
    );
    const r = await fetch(proxy.url + '/t/slow', { headers: { 'x-request-id': 'slow-2' } });
    expect(r.status).toBe(504);
    expect(await r.json()).toEqual({
      error: 'upstream_timeout',
      message: "no response from upstream 'app' within 200 ms",
      requestId: 'slow-2',
      route: '/t',
    });
    // timeout is not in retry.on: one try, which waited the whole timeoutMs.
    expect(up.arrivals).toHaveLength(1);
    await up.arrivals[0]!.socketClosed;
    expect(await metric(proxy.adminUrl, 'strangler_upstream_retries_total')).toBe(0);
  });

  it('answers 504 on a breaker-only route (no retry) when the upstream hangs', async () => {
    up = await hanging();
    proxy = await startProxy(
      upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /t, upstream: app, timeoutMs: 200, breaker: { consecutiveFailures: 5, halfOpenAfterMs: 60000 } }\n',
    );
    const r = await fetch(proxy.url + '/t/slow');
    expect(r.status).toBe(504);
    expect(await r.json()).toMatchObject({ error: 'upstream_timeout' });
    await up.arrivals[0]!.socketClosed;
  });
});
