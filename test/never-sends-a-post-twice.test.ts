import { afterEach, describe, expect, it } from 'vitest';
import { answer, metric, refusing, reset, scripted, type Misbehaving } from './helpers/misbehaving.js';
import { startProxy, startUpstream, testClock, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

let up: Misbehaving | undefined;
let legacy: Upstream | undefined;
let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await up?.close();
  await legacy?.close();
  proxy = up = legacy = undefined;
});

const RETRY = '{ attempts: 3, backoffMs: 0, maxBackoffMs: 0, on: [connect-error, reset, 503] }';
const order = JSON.stringify({ item: 'book', qty: 1 });

function post(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', body: order, headers: { 'content-type': 'application/json', ...headers } });
}

describe('a POST without Idempotency-Key that reached the upstream is never sent twice', () => {
  it('reset after the upstream read it: one arrival, 502, no retry counted', async () => {
    up = await scripted([reset, answer(201, 'created')]);
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + `routes:\n  - { prefix: /orders, upstream: app, retry: ${RETRY} }\n`);
    const r = await post(proxy.url + '/orders', { 'x-request-id': 'post-reset' });
    expect(r.status).toBe(502);
    expect(await r.json()).toMatchObject({ error: 'upstream_unavailable', requestId: 'post-reset', route: '/orders' });
    expect(up.arrivals).toHaveLength(1);
    expect((await up.arrivals[0]!.body).toString()).toBe(order);
    expect(await metric(proxy.adminUrl, 'strangler_upstream_retries_total')).toBe(0);
  });

  it('answered 503: one arrival, and the upstream 503 reaches the client as it was', async () => {
    up = await scripted([answer(503, 'overloaded', { 'x-upstream': 'app' }), answer(201, 'created')]);
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + `routes:\n  - { prefix: /orders, upstream: app, retry: ${RETRY} }\n`);
    const r = await post(proxy.url + '/orders');
    expect(r.status).toBe(503);
    expect(r.headers.get('x-upstream')).toBe('app');
    expect(await r.text()).toBe('overloaded');
    expect(up.arrivals).toHaveLength(1);
    expect(await metric(proxy.adminUrl, 'strangler_upstream_retries_total')).toBe(0);
  });

  it('reset, on a route with a breaker and a fallback: still one arrival, and the fallback never sees it', async () => {
    up = await scripted([reset]);
    legacy = await startUpstream((_req, res) => res.end('legacy'));
    proxy = await startProxy(
      upstreamsYaml({ app: up.url, legacy: legacy.url }) +
        `routes:\n  - { prefix: /orders, upstream: app, retry: ${RETRY}, breaker: { consecutiveFailures: 5, halfOpenAfterMs: 60000 }, fallback: legacy }\n`,
    );
    const r = await post(proxy.url + '/orders');
    expect(r.status).toBe(502);
    expect(r.headers.get('x-strangler-fallback')).toBeNull();
    expect(up.arrivals).toHaveLength(1);
    expect(legacy.received).toHaveLength(0);
  });

  it('also a PATCH (not idempotent): one arrival after a reset', async () => {
    up = await scripted([reset, answer(200, 'patched')]);
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + `routes:\n  - { prefix: /orders, upstream: app, retry: ${RETRY} }\n`);
    const r = await fetch(proxy.url + '/orders/1', { method: 'PATCH', body: '{"qty":2}' });
    expect(r.status).toBe(502);
    expect(up.arrivals).toHaveLength(1);
  });
});

describe('a POST with an Idempotency-Key may be replayed', () => {
  it('reset, then 201: two arrivals carrying the same key and the same body', async () => {
    up = await scripted([reset, answer(201, 'created')]);
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + `routes:\n  - { prefix: /orders, upstream: app, retry: ${RETRY} }\n`);
    const r = await post(proxy.url + '/orders', { 'idempotency-key': 'k-42' });
    expect(r.status).toBe(201);
    expect(await r.text()).toBe('created');
    expect(up.arrivals).toHaveLength(2);
    for (const a of up.arrivals) {
      expect(a.headers['idempotency-key']).toBe('k-42');
      expect((await a.body).toString()).toBe(order);
    }
    expect(await metric(proxy.adminUrl, 'strangler_upstream_retries_total', { reason: 'reset' })).toBe(1);
  });

  it('503 twice, then 201: three arrivals', async () => {
    up = await scripted([answer(503), answer(503), answer(201, 'created')]);
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + `routes:\n  - { prefix: /orders, upstream: app, retry: ${RETRY} }\n`);
    const r = await post(proxy.url + '/orders', { 'Idempotency-Key': 'k-43' });
    expect(r.status).toBe(201);
    expect(up.arrivals).toHaveLength(3);
    expect(await metric(proxy.adminUrl, 'strangler_upstream_retries_total', { reason: '503' })).toBe(2);
  });
});

describe('a POST that never left (connection refused) may be retried and may fall back', () => {
  it('is retried on connect-error: every attempt is counted, then 502', async () => {
    const gone = await refusing();
    // A still clock: the retry lines' one-second aggregation window cannot pass mid-test.
    proxy = await startProxy(upstreamsYaml({ app: gone.url }) + `routes:\n  - { prefix: /orders, upstream: app, retry: ${RETRY} }\n`, { clock: testClock() });
    const r = await post(proxy.url + '/orders', { 'x-request-id': 'post-refused' });
    expect(r.status).toBe(502);
    expect(await r.json()).toMatchObject({ error: 'upstream_unavailable', requestId: 'post-refused' });
    // attempts: 3 -> two retries, both for connect-error (nothing was sent, so a POST may go again).
    expect(await metric(proxy.adminUrl, 'strangler_upstream_retries_total', { route: '/orders', upstream: 'app', reason: 'connect-error' })).toBe(2);
    // Repeated lines are aggregated per route and reason per second (contract v2): the second is
    // folded into the next line; the metric above counts both.
    const retried = proxy.logs.filter((l) => l.msg === LOG.retrying && l.requestId === 'post-refused');
    expect(retried.map((l) => [l.reason, l.count])).toEqual([['connect-error', 1]]);
  });

  it('goes to the fallback with its whole body, which answers it', async () => {
    const gone = await refusing();
    legacy = await startUpstream((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ legacyGot: JSON.parse(body) })));
    });
    proxy = await startProxy(
      // Contract v2: the short form takes reads only; a POST goes to a fallback that lists it.
      upstreamsYaml({ app: gone.url, legacy: legacy.url }) + `routes:\n  - { prefix: /orders, upstream: app, retry: ${RETRY}, fallback: { upstream: legacy, methods: [POST] } }\n`,
    );
    const r = await post(proxy.url + '/orders');
    expect(r.status).toBe(201);
    expect(r.headers.get('x-strangler-fallback')).toBe('legacy');
    expect(await r.json()).toEqual({ legacyGot: { item: 'book', qty: 1 } });
    expect(legacy.received).toHaveLength(1);
    expect(legacy.received[0]!.method).toBe('POST');
    expect(await metric(proxy.adminUrl, 'strangler_fallbacks_total', { route: '/orders', from: 'app', to: 'legacy', reason: 'connect-error' })).toBe(1);
  });
});
