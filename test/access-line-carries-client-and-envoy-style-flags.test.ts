// Issue 15 (operators): every request's own access line says who the client was (clientIp after
// the trustedProxies rules, a cleaned User-Agent) and what happened to it (retried, fellBack,
// shadowed, canary side, breakerOpen), each flag only when set.
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { answer, failingThenOk, scripted, type Misbehaving } from './helpers/misbehaving.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

let ups: (Misbehaving | Upstream)[] = [];
let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await Promise.all(ups.map((u) => u.close()));
  ups = [];
  proxy = undefined;
});

const ok = async (): Promise<Upstream> => {
  const u = await startUpstream((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  ups.push(u);
  return u;
};

const lineOf = (p: TestProxy, id: string) => p.logLine((l) => l.msg === LOG.request && l.requestId === id);
const FLAGS = ['retried', 'fellBack', 'shadowed', 'canary', 'breakerOpen'];
const flagsOf = (l: Record<string, unknown>) => Object.fromEntries(FLAGS.filter((k) => k in l).map((k) => [k, l[k]]));

describe('the access line', () => {
  it('carries clientIp and a cleaned, bounded userAgent, and no flag on a plain request', async () => {
    const u = await ok();
    proxy = await startProxy(upstreamsYaml({ app: u.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    await fetch(proxy.url + '/a', { headers: { 'x-request-id': 'plain-1', 'user-agent': 'curl/8.5.0' } });
    const line = await lineOf(proxy, 'plain-1');
    expect(line).toMatchObject({ clientIp: '127.0.0.1', userAgent: 'curl/8.5.0', status: 200 });
    expect(flagsOf(line)).toEqual({});
    // A long User-Agent with a control character (a tab: the only one HTTP/1.1 lets through).
    await new Promise<void>((resolve, reject) => {
      const req = http.request(proxy!.url + '/b', { headers: { 'x-request-id': 'ua-1', 'user-agent': 'x\ty' + 'z'.repeat(400) } }, (res) => res.resume().on('end', resolve));
      req.on('error', reject).end();
    });
    const ua = (await lineOf(proxy, 'ua-1')).userAgent as string;
    expect(ua).toBe('xy' + 'z'.repeat(254));
  });

  it('takes clientIp from X-Forwarded-For by the trustedProxies rules, on a refusal too', async () => {
    const u = await ok();
    proxy = await startProxy('server: { trustedProxies: 1 }\n' + upstreamsYaml({ app: u.url }) + 'routes:\n  - { prefix: /a, upstream: app }\n');
    await fetch(proxy.url + '/a', { headers: { 'x-request-id': 'xff-1', 'x-forwarded-for': '203.0.113.9, 198.51.100.7' } });
    expect(await lineOf(proxy, 'xff-1')).toMatchObject({ clientIp: '198.51.100.7' });
    const r = await fetch(proxy.url + '/nowhere', { headers: { 'x-request-id': 'xff-2', 'x-forwarded-for': '198.51.100.8', 'user-agent': 'probe' } });
    expect(r.status).toBe(404);
    expect(await lineOf(proxy, 'xff-2')).toMatchObject({ error: 'no_route', clientIp: '198.51.100.8', userAgent: 'probe' });
  });

  it('says retried: 1 for a request answered on its second attempt (the aggregated warning stays)', async () => {
    const up = await failingThenOk(1);
    ups.push(up);
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /r, upstream: app, retry: { attempts: 3, backoffMs: 1 } }\n');
    const r = await fetch(proxy.url + '/r/1', { headers: { 'x-request-id': 'retry-1' } });
    expect(r.status).toBe(200);
    expect(flagsOf(await lineOf(proxy, 'retry-1'))).toEqual({ retried: 1 });
    expect(await proxy.logLine((l) => l.msg === LOG.retrying)).toMatchObject({ requestId: 'retry-1' });
  });

  it('says fellBack for a request the fallback answered, and breakerOpen once the breaker diverts it', async () => {
    const up = await scripted(() => answer(500, 'boom'));
    ups.push(up);
    const legacy = await ok();
    proxy = await startProxy(
      upstreamsYaml({ users: up.url, legacy: legacy.url }) +
        'routes:\n  - { prefix: /users, upstream: users, retry: { attempts: 1 }, breaker: { consecutiveFailures: 1, halfOpenAfterMs: 600000 }, fallback: legacy }\n',
    );
    await (await fetch(proxy.url + '/users/1', { headers: { 'x-request-id': 'fb-1' } })).text();
    expect(flagsOf(await lineOf(proxy, 'fb-1'))).toEqual({ fellBack: true });
    expect(await lineOf(proxy, 'fb-1')).toMatchObject({ upstream: 'legacy', status: 200 });
    await (await fetch(proxy.url + '/users/2', { headers: { 'x-request-id': 'fb-2' } })).text();
    expect(flagsOf(await lineOf(proxy, 'fb-2'))).toEqual({ fellBack: true, breakerOpen: true });
    expect(up.arrivals).toHaveLength(1);
  });

  it('says breakerOpen for a request refused because the breaker is open', async () => {
    const up = await scripted(() => answer(500, 'boom'));
    ups.push(up);
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /b, upstream: app, breaker: { consecutiveFailures: 1, halfOpenAfterMs: 600000 } }\n');
    await (await fetch(proxy.url + '/b', { headers: { 'x-request-id': 'br-1' } })).text();
    expect(flagsOf(await lineOf(proxy, 'br-1'))).toEqual({});
    const r = await fetch(proxy.url + '/b', { headers: { 'x-request-id': 'br-2' } });
    expect(r.status).toBe(503);
    expect(await lineOf(proxy, 'br-2')).toMatchObject({ breakerOpen: true, error: 'circuit_open' });
  });

  it('says shadowed for a mirrored request, and the canary side on a canary route', async () => {
    const legacy = await ok();
    const next = await ok();
    proxy = await startProxy(
      upstreamsYaml({ legacy: legacy.url, next: next.url }) +
        'routes:\n  - { prefix: /s, upstream: legacy, shadow: { upstream: next } }\n' +
        '  - { prefix: /c, upstream: legacy, canary: { upstream: next, percent: 50, forceHeader: X-Canary } }\n',
    );
    await (await fetch(proxy.url + '/s/1', { headers: { 'x-request-id': 'sh-1' } })).text();
    expect(flagsOf(await lineOf(proxy, 'sh-1'))).toEqual({ shadowed: true });
    await (await fetch(proxy.url + '/c/1', { headers: { 'x-request-id': 'cn-1', 'x-canary': 'true' } })).text();
    expect(await lineOf(proxy, 'cn-1')).toMatchObject({ canary: 'canary', upstream: 'next' });
    await (await fetch(proxy.url + '/c/1', { headers: { 'x-request-id': 'cn-2', 'x-canary': 'false' } })).text();
    expect(await lineOf(proxy, 'cn-2')).toMatchObject({ canary: 'primary', upstream: 'legacy' });
  });

  it('carries the connection peer as clientIp on a request refused before its head was read', async () => {
    const u = await ok();
    proxy = await startProxy('server: { trustedProxies: 1 }\n' + upstreamsYaml({ app: u.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    const socket = net.connect(proxy.port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.9\r\nBad Header: 1\r\n\r\n'));
    socket.on('error', () => {}).resume();
    await once(socket, 'close');
    const line = await proxy.logLine((l) => l.msg === LOG.request && l.error === 'bad_request');
    expect(line).toMatchObject({ status: 400, clientIp: '127.0.0.1' }); // (its X-Forwarded-For was never read)
    expect('userAgent' in line).toBe(false);
  });
});
