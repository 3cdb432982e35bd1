import http from 'node:http';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { answer, failingThenOk, metric, refusing, reset, scripted, type Misbehaving } from './helpers/misbehaving.js';
import { startProxy, upstreamsYaml, type TestProxy } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

let up: Misbehaving | undefined;
let proxy: TestProxy | undefined;
const clients: http.ClientRequest[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy(); // a hung response must not hold the proxy's drain
  await proxy?.close();
  await up?.close();
  proxy = up = undefined;
});

const route = (retry: string) =>
  upstreamsYaml({ app: up!.url }) + `routes:\n  - { prefix: /r, upstream: app, retry: ${retry} }\n`;

describe('retries of safe requests', () => {
  it('retries a GET whose connection was reset after the upstream read it, and the client gets the answer', async () => {
    up = await scripted([reset, answer(200, 'second time lucky')]);
    proxy = await startProxy(route('{ attempts: 3, backoffMs: 0, maxBackoffMs: 0, on: [reset] }'));
    const r = await fetch(proxy.url + '/r/thing', { headers: { 'x-request-id': 'reset-1' } });
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('second time lucky');
    expect(up.arrivals.map((a) => `${a.method} ${a.url}`)).toEqual(['GET /r/thing', 'GET /r/thing']);
    expect(await metric(proxy.adminUrl, 'strangler_upstream_retries_total', { route: '/r', upstream: 'app', reason: 'reset' })).toBe(1);
    expect(await proxy.logLine((l) => l.msg === LOG.retrying)).toMatchObject({ requestId: 'reset-1', reason: 'reset', route: '/r', upstream: 'app' });
  });

  it('does not retry a reset that retry.on does not list: one arrival, 502', async () => {
    up = await scripted([reset, answer(200, 'never asked')]);
    proxy = await startProxy(route('{ attempts: 3, backoffMs: 0, maxBackoffMs: 0, on: [503] }'));
    const r = await fetch(proxy.url + '/r/x');
    expect(r.status).toBe(502);
    expect(await r.json()).toMatchObject({ error: 'upstream_unavailable', route: '/r' });
    expect(up.arrivals).toHaveLength(1);
    expect(await metric(proxy.adminUrl, 'strangler_upstream_retries_total')).toBe(0);
  });

  it('retries 503 N times then serves the 200: arrivals N+1, the retry metric counts N with reason 503', async () => {
    const N = 3;
    up = await failingThenOk(N, 503);
    proxy = await startProxy(route('{ attempts: 4, backoffMs: 0, maxBackoffMs: 0, on: [503] }'));
    const r = await fetch(proxy.url + '/r/eventually');
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('ok');
    expect(up.arrivals).toHaveLength(N + 1);
    expect(await metric(proxy.adminUrl, 'strangler_upstream_retries_total', { route: '/r', upstream: 'app', reason: '503' })).toBe(N);
    expect(await metric(proxy.adminUrl, 'strangler_upstream_retries_total')).toBe(N);
  });

  it('stops at retry.attempts: an always-503 upstream is tried exactly `attempts` times and its last 503 reaches the client', async () => {
    up = await scripted([answer(503, 'still down', { 'retry-after': '7' })]);
    proxy = await startProxy(route('{ attempts: 3, backoffMs: 0, maxBackoffMs: 0, on: [503] }'));
    const r = await fetch(proxy.url + '/r/down');
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('7');
    expect(await r.text()).toBe('still down');
    expect(up.arrivals).toHaveLength(3);
    expect(await metric(proxy.adminUrl, 'strangler_upstream_retries_total', { reason: '503' })).toBe(2);
  });

  it('replays a PUT body byte for byte on every try', async () => {
    // Every byte value, several times over, in a body well under maxBufferBytes.
    const body = Buffer.alloc(64 * 1024 + 17, 0).map((_, i) => (i * 7 + (i >> 8)) & 0xff);
    up = await scripted([reset, answer(503, 'busy'), answer(201, 'stored')]);
    proxy = await startProxy(route('{ attempts: 3, backoffMs: 0, maxBackoffMs: 0, on: [reset, 503] }'));
    const r = await fetch(proxy.url + '/r/blob', { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' } });
    expect(r.status).toBe(201);
    expect(await r.text()).toBe('stored');
    expect(up.arrivals).toHaveLength(3);
    for (const a of up.arrivals) {
      expect(a.method).toBe('PUT');
      expect(a.headers['content-length']).toBe(String(body.length));
      expect((await a.body).equals(body)).toBe(true);
    }
  });

  it('does not replay a PUT whose body was over server.maxBufferBytes once it may have been read; one that never left goes on whole', async () => {
    up = await scripted([reset, answer(201, 'stored')]);
    const gone = await refusing();
    const legacy = await scripted([{ kind: 'custom', handle: (_req, res, a) => void a.body.then((b) => res.end(`legacy got ${b.length}`)) }]);
    try {
      // (Contract v2: a short-form fallback takes reads only; /g's lists PUT.)
      proxy = await startProxy(
        upstreamsYaml({ app: up.url, gone: gone.url, legacy: legacy.url }) +
          'server: { maxBufferBytes: 1024 }\n' +
          'routes:\n' +
          '  - { prefix: /r, upstream: app, retry: { attempts: 3, backoffMs: 0, maxBackoffMs: 0, on: [connect-error, reset] } }\n' +
          '  - { prefix: /g, upstream: gone, retry: { attempts: 2, backoffMs: 0, maxBackoffMs: 0, on: [connect-error, reset] }, fallback: { upstream: legacy, methods: [PUT] } }\n',
      );
      const body = 'z'.repeat(4096); // streams through: not kept for replay
      const r = await fetch(proxy.url + '/r/blob', { method: 'PUT', body });
      expect(r.status).toBe(502);
      expect(up.arrivals).toHaveLength(1);
      // Refused: nothing of the stream was read, so it is retried, then handed whole to the fallback.
      const g = await fetch(proxy.url + '/g/blob', { method: 'PUT', body });
      expect(g.status).toBe(200);
      expect(g.headers.get('x-strangler-fallback')).toBe('legacy');
      expect(await g.text()).toBe('legacy got 4096');
      expect(await metric(proxy.adminUrl, 'strangler_upstream_retries_total', { route: '/g', reason: 'connect-error' })).toBe(1);
    } finally {
      await proxy?.close();
      proxy = undefined;
      await legacy.close();
    }
  });

  it('replays a DELETE (an idempotent method) after a reset', async () => {
    up = await scripted([reset, answer(204)]);
    proxy = await startProxy(route('{ attempts: 2, backoffMs: 0, maxBackoffMs: 0, on: [reset] }'));
    expect((await fetch(proxy.url + '/r/a', { method: 'DELETE' })).status).toBe(204);
    expect(up.arrivals.map((a) => `${a.method} ${a.url}`)).toEqual(['DELETE /r/a', 'DELETE /r/a']);
  });

  it('replays a HEAD after a reset, and the client gets a complete HEAD response', async () => {
    up = await scripted([reset, answer(200, 'x'.repeat(42))]);
    proxy = await startProxy(route('{ attempts: 2, backoffMs: 0, maxBackoffMs: 0, on: [reset] }'));
    const res = await headRequest(proxy.url + '/r/h');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-length']).toBe('42');
    // A HEAD response has no body: it must end (a hang here means the end never reached the client).
    await once(res.resume(), 'end');
    expect(res.complete).toBe(true);
    expect(up.arrivals.map((a) => `${a.method} ${a.url}`)).toEqual(['HEAD /r/h', 'HEAD /r/h']);
  });

  it('ends a HEAD response on a resilient route even when it went through on the first try', async () => {
    up = await scripted([answer(200, 'hello')]);
    proxy = await startProxy(route('{ attempts: 2, backoffMs: 0, maxBackoffMs: 0, on: [reset, 503] }'));
    const res = await headRequest(proxy.url + '/r/h');
    expect(res.statusCode).toBe(200);
    await once(res.resume(), 'end');
    expect(res.complete).toBe(true);
    expect(up.arrivals).toHaveLength(1);
  });

  it('ends a HEAD response whose 503 exhausted the retries (the held 503 is relayed complete)', async () => {
    up = await scripted([answer(503, 'down')]);
    proxy = await startProxy(route('{ attempts: 2, backoffMs: 0, maxBackoffMs: 0, on: [503] }'));
    const res = await headRequest(proxy.url + '/r/h');
    expect(res.statusCode).toBe(503);
    await once(res.resume(), 'end');
    expect(res.complete).toBe(true);
    expect(up.arrivals).toHaveLength(2);
  });
});

function headRequest(url: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'HEAD', agent: false }, resolve);
    clients.push(req);
    req.on('error', reject);
    req.end();
  });
}
