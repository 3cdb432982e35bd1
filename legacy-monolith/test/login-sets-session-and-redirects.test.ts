import { describe, expect, it } from 'vitest';
import { useLegacy } from './helpers.js';

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
  redirect: 'manual' as const,
});

describe('the cookie login', () => {
  const legacy = useLegacy();

  it('redirects /account to /login without a session', async () => {
    const res = await fetch(`${legacy.url}/account`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/login');
  });

  it('serves the login form', async () => {
    const res = await fetch(`${legacy.url}/login`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toMatch(/<form method="post" action="\/login">/);
  });

  it('sets an HttpOnly session cookie, redirects to /account, and /logout ends the session', async () => {
    const login = await fetch(`${legacy.url}/login`, form({ email: 'grace@example.com', password: 'demo' }));
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toBe('/account');
    const setCookie = login.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^sid=[A-Za-z0-9_-]{20,};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('Path=/');
    const cookie = setCookie.split(';')[0]!;

    const account = await fetch(`${legacy.url}/account`, { headers: { cookie }, redirect: 'manual' });
    expect(account.status).toBe(200);
    expect(await account.text()).toContain('Hello, Grace Hopper');

    const logout = await fetch(`${legacy.url}/logout`, { method: 'POST', headers: { cookie }, redirect: 'manual' });
    expect(logout.status).toBe(302);
    expect(logout.headers.get('set-cookie')).toMatch(/^sid=;.*Max-Age=0/);
    const after = await fetch(`${legacy.url}/account`, { headers: { cookie }, redirect: 'manual' });
    expect(after.status).toBe(302);
    expect(after.headers.get('location')).toBe('/login');
  });

  it('answers 401 with the form again for a wrong password, setting no cookie', async () => {
    const res = await fetch(`${legacy.url}/login`, form({ email: 'grace@example.com', password: 'guess' }));
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await res.text()).toContain('Unknown email or wrong password.');
  });
});

describe('GET /auth/whoami (the proxy forward authenticator asks it)', () => {
  const legacy = useLegacy();

  it('answers 401 with WWW-Authenticate: Session without a session, 200 with X-User-Id with one', async () => {
    const anon = await fetch(`${legacy.url}/auth/whoami`, { headers: { cookie: 'sid=forged' } });
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toBe('Session');
    expect(await anon.json()).toMatchObject({ error: 'not signed in' });

    const login = await fetch(`${legacy.url}/login`, form({ email: 'alan@example.com', password: 'demo' }));
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const me = await fetch(`${legacy.url}/auth/whoami`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(me.headers.get('x-user-id')).toBe('3');
    expect(await me.json()).toEqual({ id: 3, email: 'alan@example.com', name: 'Alan Turing' });
  });
});
