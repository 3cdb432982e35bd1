// The forward authenticator asks the monolith (GET /auth/whoami) who a session cookie is: its 2xx
// lets the request through with only the copyHeaders, its 401, 403 and login redirect reach the
// client as they are, and a client can never send its own X-User-Id.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forwardAuthYaml, startAuthMonolith, startEcho, type AuthMonolith } from './helpers/auth-monolith.js';
import { startProxy, type TestProxy, type Upstream } from './helpers/servers.js';

interface Echoed {
  url: string;
  headers: Record<string, string>;
}

describe('the forward-auth bridge', () => {
  let monolith: AuthMonolith;
  let echo: Upstream;
  let proxy: TestProxy;

  beforeAll(async () => {
    monolith = await startAuthMonolith();
    echo = await startEcho();
    // cacheMs 0: every request asks the monolith (the cache has its own tests).
    proxy = await startProxy(forwardAuthYaml(monolith.url, echo.url, '      cacheMs: 0\n'));
  });
  afterAll(async () => {
    await proxy.close();
    await Promise.all([monolith.close(), echo.close()]);
  });

  it('hands the service the user the monolith names, with only the copyHeaders', async () => {
    const cookie = await monolith.login('ada');
    const res = await fetch(`${proxy.url}/api/orders?x=1`, {
      headers: { cookie, 'x-user-id': '999', 'x-user-roles': 'root', 'x-request-id': 'req-ada-1' },
    });
    expect(res.status).toBe(200);
    const seen = (await res.json()) as Echoed;
    expect(seen.url).toBe('/api/orders?x=1');
    expect(seen.headers['x-user-id']).toBe('1');
    expect(seen.headers['x-user-roles']).toBe('admin, billing');
    expect(seen.headers['x-internal-secret']).toBeUndefined();

    // What the monolith was asked: the cookie and where the request was going (Traefik style).
    const asked = monolith.whoami.at(-1)!;
    expect(asked.cookie).toBe(cookie);
    expect(asked.authorization).toBeUndefined();
    expect(asked['x-forwarded-method']).toBe('GET');
    expect(asked['x-forwarded-uri']).toBe('/api/orders?x=1');
    expect(asked['x-forwarded-host']).toBe(`127.0.0.1:${proxy.port}`);
    expect(asked['x-forwarded-proto']).toBe('http');
    expect(asked['x-forwarded-for']).toBe('127.0.0.1');
    expect(asked['x-request-id']).toBe('req-ada-1');
    expect(asked.host).toBe(new URL(monolith.url).host);
    expect(asked['x-user-id']).toBeUndefined();
  });

  it('omits a copyHeader the answer lacks', async () => {
    const res = await fetch(`${proxy.url}/api/x`, { headers: { cookie: await monolith.login('grace'), 'x-user-roles': 'admin' } });
    const seen = (await res.json()) as Echoed;
    expect(seen.headers['x-user-id']).toBe('2');
    expect(seen.headers['x-user-roles']).toBeUndefined();
  });

  it('never lets a spoofed X-User-Id reach a service, on a route without auth either', async () => {
    const open = (await (await fetch(`${proxy.url}/open`, { headers: { 'x-user-id': '1', 'x-user-roles': 'admin' } })).json()) as Echoed;
    expect(open.headers['x-user-id']).toBeUndefined();
    expect(open.headers['x-user-roles']).toBeUndefined();
    const before = echo.received.length;
    const res = await fetch(`${proxy.url}/api/x`, { headers: { 'x-user-id': '1' } });
    expect(res.status).toBe(401);
    expect(echo.received.length).toBe(before);
  });

  it('asks the monolith even without a cookie, and passes its 401 on with body and WWW-Authenticate', async () => {
    const before = monolith.whoami.length;
    const res = await fetch(`${proxy.url}/api/x`);
    expect(monolith.whoami.length).toBe(before + 1);
    expect(monolith.whoami.at(-1)!.cookie).toBeUndefined();
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Session realm="legacy"');
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('x-extra')).toBe('kept');
    expect(await res.text()).toBe('{"error":"not signed in"}');
  });

  it('passes a 403 on with its body', async () => {
    const res = await fetch(`${proxy.url}/api/x`, { headers: { cookie: await monolith.login('mallory') } });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: 'banned' });
  });

  it('passes a login redirect on with its Location', async () => {
    const res = await fetch(`${proxy.url}/api/x`, { headers: { cookie: 'sid=expired' }, redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/login?next=%2Fapi%2Fx');
    expect(res.headers.get('set-cookie')).toBe('sid=; Max-Age=0');
    expect(await res.text()).toBe('to the login page');
  });

  it('counts decisions in strangler_auth_decisions_total', async () => {
    const metrics = await (await fetch(`${proxy.adminUrl}/metrics`)).text();
    const count = (result: string) =>
      Number(new RegExp(`strangler_auth_decisions_total\\{[^}]*authenticator="legacy-session"[^}]*result="${result}"[^}]*\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
    expect(count('allow')).toBeGreaterThanOrEqual(2);
    expect(count('deny')).toBeGreaterThanOrEqual(3);
  });
});
