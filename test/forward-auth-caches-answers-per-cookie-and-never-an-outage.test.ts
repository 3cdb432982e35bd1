// The forward authenticator keeps the monolith's 2xx, 401 and 403 per credential for cacheMs
// (by the proxy's clock), shares one call among concurrent identical misses, keeps its cache
// across a reload that leaves it unchanged, and never caches an outage: a 5xx, a timeout or an
// unreachable monolith is 503 auth_unavailable, asked again next time.

import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forwardAuthYaml, startAuthMonolith, startEcho, type AuthMonolith } from './helpers/auth-monolith.js';
import { refusedPort, startProxy, testClock, type TestProxy, type Upstream } from './helpers/servers.js';

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(ok()).toBe(true);
};

describe('the forward-auth cache', () => {
  let monolith: AuthMonolith;
  let echo: Upstream;
  let proxy: TestProxy | null = null;
  const clock = testClock();
  const get = (path: string, cookie?: string) => fetch(`${proxy!.url}${path}`, { headers: cookie === undefined ? {} : { cookie }, redirect: 'manual' });

  beforeEach(async () => {
    monolith = await startAuthMonolith();
    echo = await startEcho();
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = null;
    await Promise.all([monolith.close(), echo.close()]);
  });

  it('asks once per cookie within cacheMs (2xx and 401 alike), again after it', async () => {
    proxy = await startProxy(forwardAuthYaml(monolith.url, echo.url, '      cacheMs: 5000\n'), { clock });
    const ada = await monolith.login('ada');
    const grace = await monolith.login('grace');
    for (let i = 0; i < 3; i++) expect((await get('/api/a', ada)).status).toBe(200);
    expect(monolith.whoami.length).toBe(1);
    const res = await get('/api/b', grace);
    expect(((await res.json()) as { headers: Record<string, string> }).headers['x-user-id']).toBe('2');
    expect(monolith.whoami.length).toBe(2);
    for (let i = 0; i < 2; i++) expect((await get('/api/c')).status).toBe(401);
    expect(monolith.whoami.length).toBe(3);
    // A cached 401 is the monolith's answer, body and all.
    expect(await (await get('/api/c')).text()).toBe('{"error":"not signed in"}');
    expect(monolith.whoami.length).toBe(3);

    clock.advance(4_999);
    expect((await get('/api/a', ada)).status).toBe(200);
    expect(monolith.whoami.length).toBe(3);
    clock.advance(2);
    expect((await get('/api/a', ada)).status).toBe(200);
    expect(monolith.whoami.length).toBe(4);
  });

  it('never caches an answer that sets a cookie or says no-store or private, yet passes it on', async () => {
    proxy = await startProxy(forwardAuthYaml(monolith.url, echo.url, '      cacheMs: 5000\n'), { clock });
    const ada = await monolith.login('ada');
    monolith.answerHeaders = { 'set-cookie': 'csrftoken=for-one-client; Path=/' };
    for (let i = 0; i < 2; i++) {
      const res = await get('/api/a');
      expect(res.status).toBe(401);
      expect(res.headers.get('set-cookie')).toBe('csrftoken=for-one-client; Path=/');
    }
    expect(monolith.whoami.length).toBe(2);
    for (const cc of ['no-store', 'private, max-age=60', 'No-Store']) {
      monolith.answerHeaders = { 'cache-control': cc };
      const before = monolith.whoami.length;
      for (let i = 0; i < 2; i++) expect((await get('/api/b', ada)).status).toBe(200);
      expect(monolith.whoami.length).toBe(before + 2);
    }
    // Without them, cached as before.
    monolith.answerHeaders = { 'cache-control': 'no-cache="set-cookie2", max-age=5' };
    const before = monolith.whoami.length;
    for (let i = 0; i < 2; i++) expect((await get('/api/c')).status).toBe(401);
    expect(monolith.whoami.length).toBe(before + 1);
  });

  it("gives a cookie the monolith sets only to the request whose call it answered, not to one sharing the call", async () => {
    proxy = await startProxy(forwardAuthYaml(monolith.url, echo.url), { clock });
    monolith.answerHeaders = { 'set-cookie': 'csrftoken=for-one-client; Path=/' };
    monolith.mode = 'held';
    const first = get('/api/same'); // (the same request: by default a call is shared per request)
    const bridge = proxy.proxy.store.current.identity.authenticators.get('legacy-session')!.authenticator as unknown as { waiting: number };
    await until(() => bridge.waiting === 1 && monolith.whoami.length === 1);
    const second = get('/api/same');
    await until(() => bridge.waiting === 2);
    monolith.release();
    const [a, b] = await Promise.all([first, second]);
    expect([a.status, b.status]).toEqual([401, 401]);
    expect(a.headers.get('set-cookie')).toBe('csrftoken=for-one-client; Path=/');
    expect(b.headers.get('set-cookie')).toBeNull();
    expect(monolith.whoami.length).toBe(1);
  });

  it('never caches a redirect', async () => {
    proxy = await startProxy(forwardAuthYaml(monolith.url, echo.url), { clock });
    for (let i = 0; i < 2; i++) expect((await get('/api/a', 'sid=expired')).status).toBe(302);
    expect(monolith.whoami.length).toBe(2);
  });

  it('answers a 5xx with 503 auth_unavailable and asks again next time', async () => {
    proxy = await startProxy(forwardAuthYaml(monolith.url, echo.url), { clock });
    const ada = await monolith.login('ada');
    monolith.mode = 'fail';
    const res = await get('/api/a', ada);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe('auth_unavailable');
    expect(body.message).toContain("auth upstream 'legacy'");
    expect(body.message).toContain('500');
    monolith.mode = 'normal';
    expect((await get('/api/a', ada)).status).toBe(200);
    expect(monolith.whoami.length).toBe(2);
  });

  it('answers 503 when the monolith is slower than timeoutMs, and does not cache it', async () => {
    proxy = await startProxy(forwardAuthYaml(monolith.url, echo.url, '      timeoutMs: 200\n'), { clock });
    const ada = await monolith.login('ada');
    monolith.mode = 'slow';
    monolith.delayMs = 1_500;
    const started = Date.now();
    const res = await get('/api/a', ada);
    expect(res.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(1_200);
    expect(((await res.json()) as { message: string }).message).toContain('within 200 ms');
    monolith.mode = 'normal';
    expect((await get('/api/a', ada)).status).toBe(200);
    expect(monolith.whoami.length).toBe(2);
  });

  it('answers 503 for an answer body over 64 KiB', async () => {
    proxy = await startProxy(forwardAuthYaml(monolith.url, echo.url), { clock });
    monolith.mode = 'huge';
    const res = await get('/api/a');
    expect(res.status).toBe(503);
    expect(((await res.json()) as { message: string }).message).toContain('over 65536 bytes');
  });

  it('answers 503 when the monolith is down', async () => {
    proxy = await startProxy(forwardAuthYaml(`http://127.0.0.1:${await refusedPort()}`, echo.url), { clock });
    const res = await get('/api/a', 'sid=s1');
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toBe('auth_unavailable');
    expect(echo.received.length).toBe(0);
  });

  it('shares one call among concurrent identical misses; a client that leaves does not spoil it', async () => {
    proxy = await startProxy(forwardAuthYaml(monolith.url, echo.url), { clock });
    const ada = await monolith.login('ada');
    monolith.mode = 'held';
    const gone = http.get(`${proxy.url}/api/same`, { headers: { cookie: ada }, agent: false }); // (one request, ten times)
    const goneErr = once(gone, 'error').then(([e]) => (e as Error).message);
    const waiting = Array.from({ length: 8 }, () => get('/api/same', ada));
    const bridge = proxy.proxy.store.current.identity.authenticators.get('legacy-session')!.authenticator as unknown as { waiting: number };
    await until(() => bridge.waiting === 9); // all nine share the one call
    expect(monolith.whoami.length).toBe(1);
    gone.destroy();
    expect(await goneErr).toBe('socket hang up');
    monolith.release();
    const answers = await Promise.all(waiting);
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(monolith.whoami.length).toBe(1);
  });

  it('keeps its cache across a reload that leaves the authenticator unchanged, and drops it with a change', async () => {
    proxy = await startProxy(forwardAuthYaml(monolith.url, echo.url), { clock });
    const ada = await monolith.login('ada');
    expect((await get('/api/a', ada)).status).toBe(200);
    const reload = async (yaml: string) => {
      await writeFile(proxy!.file, yaml);
      const r = await fetch(`${proxy!.adminUrl}/reload`, { method: 'POST' });
      expect(r.status).toBe(200);
    };
    await reload(forwardAuthYaml(monolith.url, echo.url).replace('routes:\n', 'routes:\n  - { prefix: /new, upstream: echo }\n'));
    expect((await get('/new/x')).status).toBe(200);
    expect((await get('/api/a', ada)).status).toBe(200);
    expect(monolith.whoami.length).toBe(1);
    await reload(forwardAuthYaml(monolith.url, echo.url, '      cacheMs: 6000\n'));
    expect((await get('/api/a', ada)).status).toBe(200);
    expect(monolith.whoami.length).toBe(2);
  });
});
