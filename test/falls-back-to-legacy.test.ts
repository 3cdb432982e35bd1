import { afterEach, describe, expect, it } from 'vitest';
import { answer, hang, metric, refusing, resetting, scripted, type Misbehaving } from './helpers/misbehaving.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
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

/** The legacy monolith: answers everything, saying so. */
const startLegacy = () =>
  startUpstream((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain', 'x-served-by': 'legacy-monolith' }).end(`legacy: ${req.method} ${req.url}`));
  });

const fallbacks = (p: TestProxy, reason: string) =>
  metric(p.adminUrl, 'strangler_fallbacks_total', { route: '/users', from: 'users', to: 'legacy', reason });

describe('fallback to the legacy upstream', () => {
  it('serves a request whose upstream is unreachable from the fallback, marked and counted (connect-error)', async () => {
    const gone = await refusing();
    legacy = await startLegacy();
    proxy = await startProxy(upstreamsYaml({ users: gone.url, legacy: legacy.url }) + 'routes:\n  - { prefix: /users, upstream: users, fallback: legacy }\n');
    const r = await fetch(proxy.url + '/users/1?x=y', { headers: { 'x-request-id': 'fb-1' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-strangler-fallback')).toBe('legacy');
    expect(r.headers.get('x-served-by')).toBe('legacy-monolith');
    expect(r.headers.get('x-request-id')).toBe('fb-1');
    expect(await r.text()).toBe('legacy: GET /users/1?x=y');
    expect(await fallbacks(proxy, 'connect-error')).toBe(1);
    expect(await proxy.logLine((l) => l.msg === LOG.fallingBack)).toMatchObject({ requestId: 'fb-1', reason: 'connect-error', from: 'users', to: 'legacy' });
    expect(await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'fb-1')).toMatchObject({ status: 200, upstream: 'legacy' });
  });

  it('serves a request that timed out (upstream hangs before headers) from the fallback, and aborts the hung request', async () => {
    up = await scripted([hang]);
    legacy = await startLegacy();
    proxy = await startProxy(upstreamsYaml({ users: up.url, legacy: legacy.url }) + 'routes:\n  - { prefix: /users, upstream: users, timeoutMs: 200, fallback: legacy }\n');
    const r = await fetch(proxy.url + '/users/slow');
    expect(r.status).toBe(200);
    expect(r.headers.get('x-strangler-fallback')).toBe('legacy');
    expect(await r.text()).toBe('legacy: GET /users/slow');
    expect(up.arrivals).toHaveLength(1);
    await up.arrivals[0]!.socketClosed; // the proxy gave up on it for real
    expect(await fallbacks(proxy, 'timeout')).toBe(1);
  });

  it('serves from the fallback while the breaker is open, without contacting the upstream (circuit_open)', async () => {
    up = await scripted([answer(500, 'boom')]);
    legacy = await startLegacy();
    proxy = await startProxy(
      upstreamsYaml({ users: up.url, legacy: legacy.url }) +
        'routes:\n  - { prefix: /users, upstream: users, breaker: { consecutiveFailures: 2, halfOpenAfterMs: 60000 }, fallback: legacy }\n',
    );
    // Two 5xx answers: each goes to the fallback (status_5xx) and opens the breaker on the second.
    for (let i = 0; i < 2; i++) expect((await fetch(proxy.url + '/users/1')).headers.get('x-strangler-fallback')).toBe('legacy');
    expect(up.arrivals).toHaveLength(2);
    expect(await fallbacks(proxy, 'status_5xx')).toBe(2);
    const r = await fetch(proxy.url + '/users/2');
    expect(r.status).toBe(200);
    expect(r.headers.get('x-strangler-fallback')).toBe('legacy');
    expect(await r.text()).toBe('legacy: GET /users/2');
    expect(up.arrivals).toHaveLength(2);
    expect(await fallbacks(proxy, 'circuit_open')).toBe(1);
  });

  // Contract v2: the short form takes reads only, so the POST needs the long form's methods.
  it('a POST goes to a fallback that lists POST while the breaker is open (nothing was sent to the upstream)', async () => {
    up = await scripted([answer(500, 'boom')]);
    legacy = await startLegacy();
    proxy = await startProxy(
      upstreamsYaml({ users: up.url, legacy: legacy.url }) +
        'routes:\n  - { prefix: /users, upstream: users, breaker: { consecutiveFailures: 1, halfOpenAfterMs: 60000 }, fallback: { upstream: legacy, methods: [GET, POST] } }\n',
    );
    expect((await fetch(proxy.url + '/users/1')).status).toBe(200); // opens it (via the fallback)
    const r = await fetch(proxy.url + '/users', { method: 'POST', body: '{"name":"ada"}' });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-strangler-fallback')).toBe('legacy');
    expect(await r.text()).toBe('legacy: POST /users');
    expect(up.arrivals).toHaveLength(1);
  });

  it('serves a 5xx that outlived its retries from the fallback (status_5xx), after `attempts` tries', async () => {
    up = await scripted([answer(503, 'down')]);
    legacy = await startLegacy();
    proxy = await startProxy(
      upstreamsYaml({ users: up.url, legacy: legacy.url }) +
        'routes:\n  - { prefix: /users, upstream: users, retry: { attempts: 3, backoffMs: 0, maxBackoffMs: 0, on: [503] }, fallback: legacy }\n',
    );
    const r = await fetch(proxy.url + '/users/9');
    expect(r.status).toBe(200);
    expect(r.headers.get('x-strangler-fallback')).toBe('legacy');
    expect(await r.text()).toBe('legacy: GET /users/9');
    expect(up.arrivals).toHaveLength(3);
    expect(await fallbacks(proxy, 'status_5xx')).toBe(1);
    expect(await metric(proxy.adminUrl, 'strangler_upstream_retries_total', { reason: '503' })).toBe(2);
  });

  it('without a fallback, the upstream 5xx after its retries reaches the client unchanged: status, headers, body', async () => {
    const body = JSON.stringify({ error: 'maintenance', until: '02:00' });
    up = await scripted([answer(503, body, { 'content-type': 'application/problem+json', 'retry-after': '120', 'x-upstream-trace': 'abc' })]);
    proxy = await startProxy(
      upstreamsYaml({ users: up.url }) + 'routes:\n  - { prefix: /users, upstream: users, retry: { attempts: 2, backoffMs: 0, maxBackoffMs: 0, on: [503] } }\n',
    );
    const r = await fetch(proxy.url + '/users/1');
    expect(r.status).toBe(503);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    expect(r.headers.get('retry-after')).toBe('120');
    expect(r.headers.get('x-upstream-trace')).toBe('abc');
    expect(r.headers.get('content-length')).toBe(String(body.length));
    expect(r.headers.get('x-strangler-fallback')).toBeNull();
    expect(await r.text()).toBe(body);
    expect(up.arrivals).toHaveLength(2);
  });

  it('a POST that reached the failing upstream does not go to the fallback: it gets the upstream 5xx', async () => {
    up = await scripted([answer(500, 'half-done', { 'x-upstream': 'users' })]);
    legacy = await startLegacy();
    proxy = await startProxy(
      upstreamsYaml({ users: up.url, legacy: legacy.url }) +
        'routes:\n  - { prefix: /users, upstream: users, retry: { attempts: 3, backoffMs: 0, maxBackoffMs: 0, on: [reset, 500, 503] }, fallback: legacy }\n',
    );
    const r = await fetch(proxy.url + '/users', { method: 'POST', body: '{"name":"ada"}' });
    expect(r.status).toBe(500);
    expect(r.headers.get('x-upstream')).toBe('users');
    expect(r.headers.get('x-strangler-fallback')).toBeNull();
    expect(await r.text()).toBe('half-done');
    expect(up.arrivals).toHaveLength(1);
    expect(legacy.received).toHaveLength(0);
    expect(await metric(proxy.adminUrl, 'strangler_fallbacks_total')).toBe(0);
  });

  it('a POST whose connection was reset after the upstream read it does not go to the fallback: 502', async () => {
    up = await resetting();
    legacy = await startLegacy();
    proxy = await startProxy(upstreamsYaml({ users: up.url, legacy: legacy.url }) + 'routes:\n  - { prefix: /users, upstream: users, fallback: legacy }\n');
    const r = await fetch(proxy.url + '/users', { method: 'POST', body: '{"name":"ada"}' });
    expect(r.status).toBe(502);
    expect(await r.json()).toMatchObject({ error: 'upstream_unavailable', route: '/users' });
    expect(up.arrivals).toHaveLength(1);
    expect(legacy.received).toHaveLength(0);
  });

  it('a POST that timed out at the upstream (it may have acted on it) does not go to the fallback: 504', async () => {
    up = await scripted([hang]);
    legacy = await startLegacy();
    proxy = await startProxy(upstreamsYaml({ users: up.url, legacy: legacy.url }) + 'routes:\n  - { prefix: /users, upstream: users, timeoutMs: 200, fallback: legacy }\n');
    const r = await fetch(proxy.url + '/users', { method: 'POST', body: '{"name":"ada"}' });
    expect(r.status).toBe(504);
    expect(await r.json()).toMatchObject({ error: 'upstream_timeout', route: '/users' });
    expect(up.arrivals).toHaveLength(1);
    expect(legacy.received).toHaveLength(0);
  });

  it('answers 502 naming both when the fallback is unreachable too', async () => {
    const gone = await refusing();
    const goneToo = await refusing();
    proxy = await startProxy(upstreamsYaml({ users: gone.url, legacy: goneToo.url }) + 'routes:\n  - { prefix: /users, upstream: users, fallback: legacy }\n');
    const r = await fetch(proxy.url + '/users/1');
    expect(r.status).toBe(502);
    const body = (await r.json()) as { error: string; message: string };
    expect(body.error).toBe('upstream_unavailable');
    expect(body.message).toContain("fallback upstream 'legacy'");
  });
});
