// A route's local rate limit through the proxy: a burst passes with RateLimit-Policy/RateLimit on
// each answer, the next request is refused 429 rate_limited with Retry-After (and the same
// fields), buckets are kept per key (client address after trustedProxies, or a header), a
// WebSocket upgrade is refused the same way, and strangler_rate_limited_total{route} counts.
// The proxy runs on a test clock: refill is driven, not waited for.

import { describe, afterAll, beforeAll, expect, it } from 'vitest';
import { LOG } from '../src/observability/log-messages.js';
import { rawRequest } from './helpers/raw.js';
import { startProxy, startUpstream, testClock, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

describe('a rate-limited route', () => {
  let upstream: Upstream, proxy: TestProxy;
  const clock = testClock();

  beforeAll(async () => {
    upstream = await startUpstream((_req, res) => res.end('ok'));
    upstream.server.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n'));
    proxy = await startProxy(
      upstreamsYaml({ app: upstream.url }) +
        'server:\n  trustedProxies: 1\n' +
        'routes:\n' +
        '  - { prefix: /ip, upstream: app, rateLimit: { requestsPerSecond: 2, burst: 3 } }\n' +
        '  - { prefix: /key, upstream: app, rateLimit: { requestsPerSecond: 1, key: "header:X-Api-Key" } }\n' +
        '  - { prefix: /live, upstream: app, rateLimit: { requestsPerSecond: 0.5, burst: 1 } }\n' +
        '  - { prefix: /free, upstream: app }\n',
      { clock },
    );
  });
  afterAll(async () => {
    await proxy.close();
    await upstream.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(proxy.url + path, { headers });

  it('passes the burst with the RateLimit fields, then answers 429 rate_limited with Retry-After', async () => {
    const from = { 'x-forwarded-for': '203.0.113.1' };
    const admitted = [];
    for (let i = 0; i < 3; i++) admitted.push(await get('/ip/a', from));
    expect(admitted.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(admitted.map((r) => r.headers.get('ratelimit-policy'))).toEqual(Array(3).fill('"burst";q=3;w=2'));
    // Full again after (3 - r) / 2 tokens a second, rounded up to whole seconds.
    expect(admitted.map((r) => r.headers.get('ratelimit'))).toEqual(['"burst";r=2;t=1', '"burst";r=1;t=1', '"burst";r=0;t=2']);
    expect(admitted.every((r) => !r.headers.has('retry-after'))).toBe(true);

    const refused = await get('/ip/a', { ...from, 'x-request-id': 'rl-1' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toBe('application/json');
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('ratelimit-policy')).toBe('"burst";q=3;w=2');
    expect(refused.headers.get('ratelimit')).toBe('"burst";r=0;t=2');
    expect(await refused.json()).toMatchObject({ error: 'rate_limited', requestId: 'rl-1' });
    expect(await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'rl-1')).toMatchObject({ status: 429, error: 'rate_limited' });

    clock.advance(499);
    expect((await get('/ip/a', from)).status).toBe(429);
    clock.advance(1);
    const back = await get('/ip/a', from);
    expect(back.status).toBe(200);
    expect(back.headers.get('ratelimit')).toBe('"burst";r=0;t=2');
  });

  it('keeps a bucket per client address (X-Forwarded-For from one trusted proxy)', async () => {
    for (let i = 0; i < 3; i++) expect((await get('/ip/b', { 'x-forwarded-for': '203.0.113.2' })).status).toBe(200);
    expect((await get('/ip/b', { 'x-forwarded-for': '203.0.113.2' })).status).toBe(429);
    // Another client, and the same client behind a spoofed entry the one trusted hop did not add.
    expect((await get('/ip/b', { 'x-forwarded-for': '203.0.113.3' })).status).toBe(200);
    expect((await get('/ip/b', { 'x-forwarded-for': '198.51.100.9, 203.0.113.2' })).status).toBe(429);
  });

  it('keeps a bucket per header value, the default burst being one second of requests', async () => {
    expect((await get('/key', { 'x-api-key': 'alice' })).status).toBe(200);
    const second = await get('/key', { 'x-api-key': 'alice' });
    expect(second.status).toBe(429);
    expect(second.headers.get('ratelimit-policy')).toBe('"burst";q=1;w=1');
    expect((await get('/key', { 'x-api-key': 'bob' })).status).toBe(200);
    // Without the header, the request counts against its client address.
    expect((await get('/key', { 'x-forwarded-for': '203.0.113.4' })).status).toBe(200);
    expect((await get('/key', { 'x-forwarded-for': '203.0.113.4' })).status).toBe(429);
  });

  it('leaves a route without a limit alone', async () => {
    const r = await get('/free');
    expect(r.status).toBe(200);
    expect(r.headers.has('ratelimit')).toBe(false);
  });

  it('admits a WebSocket upgrade with the RateLimit fields, and refuses one over the limit with the 429 JSON error on the raw socket', async () => {
    const ws = (id: string) =>
      rawRequest(
        proxy.port,
        `GET /live HTTP/1.1\r\nHost: front\r\nX-Request-Id: ${id}\r\nX-Forwarded-For: 203.0.113.5\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
    const admitted = await ws('ws-1');
    expect(admitted.status).toBe(101);
    expect([admitted.headers['ratelimit-policy'], admitted.headers['ratelimit']]).toEqual(['"burst";q=1;w=2', '"burst";r=0;t=2']);
    const refused = await ws('ws-2');
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('2');
    expect(refused.headers['ratelimit']).toBe('"burst";r=0;t=2');
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'rate_limited', requestId: 'ws-2' });
  });

  it('counts refusals in strangler_rate_limited_total{route}', async () => {
    const text = await (await fetch(`${proxy.adminUrl}/metrics`)).text();
    const count = (route: string) => Number(new RegExp(`^strangler_rate_limited_total\\{route="${route.replace('/', '\\/')}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
    expect(count('/ip')).toBe(4);
    expect(count('/key')).toBe(2);
    expect(count('/live')).toBe(1);
    expect(text).not.toMatch(/strangler_rate_limit_store_errors_total [1-9]/);
  });
});
