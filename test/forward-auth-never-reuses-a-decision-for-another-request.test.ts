// The monolith is told which request it decides (X-Forwarded-Method, -Uri, -Host...) and may
// decide by it: 403 for /api/admin unless the user is an admin. Answers were cached, and
// concurrent calls shared, per cookie alone: a user allowed on /api/orders was then let into
// /api/admin for cacheMs (and with cacheMs 0, by a call shared with a concurrent request), and a
// 403 on /api/admin locked them out of /api for as long. By default (cacheKey: request) the
// request is in the key; cacheKey: credential keeps the per-cookie cache for a monolith that
// only says who the caller is.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forwardAuthYaml, startAuthMonolith, startEcho, type AuthMonolith } from './helpers/auth-monolith.js';
import { startProxy, testClock, type TestProxy, type Upstream } from './helpers/servers.js';

describe('a forward-auth decision', () => {
  let monolith: AuthMonolith;
  let echo: Upstream;
  let proxy: TestProxy | null = null;
  const clock = testClock();
  const get = (path: string, cookie: string) => fetch(`${proxy!.url}${path}`, { headers: { cookie }, redirect: 'manual' });

  beforeEach(async () => {
    monolith = await startAuthMonolith();
    echo = await startEcho();
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = null;
    await Promise.all([monolith.close(), echo.close()]);
  });

  it('is cached per request by default: an allow on one path never opens another', async () => {
    proxy = await startProxy(forwardAuthYaml(monolith.url, echo.url, '      cacheMs: 5000\n'), { clock });
    const grace = await monolith.login('grace'); // no admin role
    expect((await get('/api/orders', grace)).status).toBe(200);
    expect((await get('/api/admin/users', grace)).status).toBe(403);
    expect((await get('/api/orders', grace)).status).toBe(200); // (the 403 did not stick either)
    expect(monolith.whoami.map((h) => h['x-forwarded-uri'])).toEqual(['/api/orders', '/api/admin/users']); // the repeat was cached
  });

  it('is never shared with a concurrent request for another path', async () => {
    proxy = await startProxy(forwardAuthYaml(monolith.url, echo.url, '      cacheMs: 0\n'), { clock });
    const grace = await monolith.login('grace');
    monolith.mode = 'held';
    const answers = [get('/api/orders', grace), get('/api/admin/users', grace)];
    for (let i = 0; i < 400 && monolith.whoami.length < 2; i++) await new Promise((r) => setTimeout(r, 5)); // (a bounded poll)
    expect(monolith.whoami.map((h) => String(h['x-forwarded-uri'])).sort()).toEqual(['/api/admin/users', '/api/orders']); // both asked, none shared
    monolith.release();
    expect((await Promise.all(answers)).map((r) => r.status)).toEqual([200, 403]);
  });

  it('with cacheKey: credential is cached per cookie, as the monolith only says who the caller is', async () => {
    proxy = await startProxy(forwardAuthYaml(monolith.url, echo.url, '      cacheMs: 5000\n      cacheKey: credential\n'), { clock });
    const ada = await monolith.login('ada');
    for (const path of ['/api/orders', '/api/admin/users', '/api/orders/7']) expect((await get(path, ada)).status).toBe(200);
    expect(monolith.whoami).toHaveLength(1);
  });
});
