// With ADMIN_TOKEN set, a browser (which cannot send `Authorization: Bearer` on a navigation)
// asking for `/` or `/shadow` gets a sign-in page; POST /session with the token answers 303 back
// to the page with an HttpOnly, SameSite=Strict cookie that opens every admin endpoint. The
// cookie is not the token; a forged one opens nothing; `next` stays on the admin origin; a
// state-changing request signed in by the cookie alone needs the admin's own Origin. JSON
// clients and bearer calls are as before. Wrong tokens are logged, at most one line a minute.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG } from '../src/observability/log-messages.js';
import { startProxy, startUpstream, testClock, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

const TOKEN = 'sign-in-test-token';
const YAML = (url: string): string =>
  `${upstreamsYaml({ legacy: url, next: url })}routes:\n  - prefix: /\n    upstream: legacy\n    shadow: { upstream: next }\n`;
const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('signing in to the admin pages with the token', () => {
  let up: Upstream, proxy: TestProxy, admin: string, origin: string;
  const clock = testClock();
  const signIn = (token: string, next = '/') =>
    fetch(admin + '/session', { method: 'POST', redirect: 'manual', headers: { ...FORM, origin }, body: new URLSearchParams({ token, next }).toString() });
  const cookieOf = async (): Promise<string> => {
    const r = await signIn(TOKEN);
    expect(r.status).toBe(303);
    return r.headers.get('set-cookie')!.split(';')[0]!;
  };

  beforeAll(async () => {
    up = await startUpstream((_req, res) => res.end('ok'));
    proxy = await startProxy(YAML(up.url), { adminToken: TOKEN, clock });
    admin = proxy.adminUrl;
    origin = new URL(admin).origin;
  });
  afterAll(async () => {
    await proxy?.close();
    await up?.close();
  });

  it('shows a browser the sign-in page for / and /shadow, and a JSON client the JSON 401', async () => {
    for (const page of ['/', '/shadow']) {
      const r = await fetch(admin + page, { headers: BROWSER });
      expect(r.status, page).toBe(401);
      expect(r.headers.get('content-type')).toMatch(/^text\/html/);
      expect(r.headers.get('content-security-policy')).toContain("form-action 'self'");
      expect(r.headers.get('content-security-policy')).not.toContain('script-src');
      const html = await r.text();
      expect(html).toContain('<form method="post" action="/session">');
      expect(html).toContain('<input type="password" id="token" name="token"');
      expect(html).toContain(`<input type="hidden" name="next" value="${page}">`);
    }
    for (const [path, headers] of [['/', {}], ['/', { accept: 'application/json' }], ['/status', BROWSER]] as const) {
      const r = await fetch(admin + path, { headers });
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe('Bearer');
      await expect(r.json()).resolves.toMatchObject({ error: 'unauthorized' });
    }
  });

  it('answers a wrong token with the page again and a message, logged once a minute with the count', async () => {
    const before = proxy.logs.filter((l) => l.msg === LOG.adminSignInFailed).length;
    for (const wrong of ['nope', '', TOKEN + 'x']) {
      const r = await signIn(wrong, '/shadow');
      expect(r.status).toBe(401);
      expect(r.headers.get('set-cookie')).toBeNull();
      const html = await r.text();
      expect(html).toContain('That is not the admin token.');
      expect(html).toContain('<input type="hidden" name="next" value="/shadow">');
    }
    const lines = () => proxy.logs.filter((l) => l.msg === LOG.adminSignInFailed).slice(before);
    await proxy.logLine((l) => l.msg === LOG.adminSignInFailed);
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).toMatchObject({ level: 'warn', failures: 1, from: '127.0.0.1' });
    clock.advance(60_000);
    await signIn('again');
    await proxy.logLine((l) => l.msg === LOG.adminSignInFailed && l.failures === 3); // the two held back and this one
    expect(lines()).toHaveLength(2);
    expect(JSON.stringify(proxy.logs)).not.toContain(TOKEN);
    // A form the parser refuses gets a JSON error, not Express's page with a stack.
    const big = await fetch(admin + '/session', { method: 'POST', headers: { ...FORM, origin }, body: 'token=' + 'x'.repeat(5000) });
    expect(big.status).toBe(413);
    await expect(big.json()).resolves.toMatchObject({ error: 'payload_too_large' }); // (the code goes with the status)
  });

  it('answers the right token with 303 back to the page and an HttpOnly SameSite=Strict cookie that is not the token', async () => {
    const r = await signIn(TOKEN, '/shadow');
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/shadow');
    const cookie = r.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^strangler_admin=[\w-]{43}; /);
    expect(cookie).toContain('; HttpOnly');
    expect(cookie).toContain('; SameSite=Strict');
    expect(cookie).toContain('; Path=/');
    expect(cookie).not.toContain('Secure'); // the admin port is plain HTTP
    expect(cookie).not.toContain(TOKEN);
  });

  it('opens /, /shadow, /status and /shadow/report with the cookie; a forged cookie opens nothing', async () => {
    const cookie = await cookieOf();
    for (const path of ['/', '/shadow', '/status', '/shadow/report', '/routes']) {
      const r = await fetch(admin + path, { headers: { ...BROWSER, cookie } });
      expect(r.status, path).toBe(200);
    }
    await expect((await fetch(admin + '/', { headers: { ...BROWSER, cookie } })).text()).resolves.toContain('<title>Migration · strangler</title>');
    const value = cookie.split('=')[1]!;
    const forged = [`strangler_admin=${TOKEN}`, `strangler_admin=${value.slice(0, -1)}A`, `strangler_admin=${value.slice(1)}`, 'strangler_admin=', `other=${value}`];
    for (const bad of forged) {
      expect((await fetch(admin + '/status', { headers: { cookie: bad } })).status, bad).toBe(401);
      expect((await fetch(admin + '/', { headers: { ...BROWSER, cookie: bad } })).status, bad).toBe(401);
    }
  });

  it('sends the browser only to a path of the admin origin', async () => {
    for (const next of ['//evil.example/', '/\\evil.example/', 'http://evil.example/', 'https:evil.example', 'evil', '/ok\nx']) {
      const r = await signIn(TOKEN, next);
      expect(r.status, next).toBe(303);
      expect(r.headers.get('location'), next).toBe('/');
    }
    expect((await signIn(TOKEN, '/shadow?route=%2Forders')).headers.get('location')).toBe('/shadow?route=%2Forders');
  });

  it("takes a state-changing request signed in by the cookie only with the admin's own Origin", async () => {
    const cookie = await cookieOf();
    const reset = (headers: Record<string, string>) => fetch(admin + '/shadow/reset', { method: 'POST', headers });
    const noOrigin = await reset({ cookie });
    expect(noOrigin.status).toBe(403);
    await expect(noOrigin.json()).resolves.toMatchObject({ error: 'forbidden' });
    expect((await reset({ cookie, origin: 'http://evil.example' })).status).toBe(403);
    expect((await reset({ cookie, origin })).status).toBe(200);
    expect((await fetch(admin + '/reload', { method: 'POST', headers: { cookie } })).status).toBe(403);
    expect((await fetch(admin + '/log-level', { method: 'PUT', headers: { cookie }, body: '{"level":"debug"}' })).status).toBe(403);
    // Bearer calls are as before: no Origin needed.
    const bearer = { authorization: `Bearer ${TOKEN}` };
    expect((await reset(bearer)).status).toBe(200);
    expect((await fetch(admin + '/status', { headers: bearer })).status).toBe(200);
    expect((await fetch(admin + '/status', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
  });

  it('signs out: POST /session/logout clears the cookie', async () => {
    const r = await fetch(admin + '/session/logout', { method: 'POST', redirect: 'manual', headers: { origin } });
    expect(r.status).toBe(303);
    expect(r.headers.get('set-cookie')).toMatch(/^strangler_admin=; HttpOnly; SameSite=Strict; Path=\/; Max-Age=0$/);
  });
});
