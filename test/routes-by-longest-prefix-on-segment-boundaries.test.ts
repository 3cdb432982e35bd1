import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

// Each upstream answers with its name and the path it received.
const named = (name: string) => startUpstream((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ name, url: req.url, method: req.method }));
});

describe('routing', () => {
  let legacy: Upstream, users: Upstream, writes: Upstream, proxy: TestProxy;

  beforeAll(async () => {
    [legacy, users, writes] = await Promise.all([named('legacy'), named('users'), named('writes')]);
    proxy = await startProxy(upstreamsYaml({ legacy: legacy.url, users: users.url, writes: writes.url }) + `
routes:
  - prefix: /api/users
    upstream: users
    prefixRewrite: /users
  - prefix: /api
    upstream: legacy
  - prefix: /api
    upstream: writes
    methods: [POST, PUT]
  - prefix: /
    upstream: legacy
  - prefix: /root-only
    upstream: users
    prefixRewrite: /
`);
  });
  afterAll(async () => {
    await proxy.close();
    await Promise.all([legacy.close(), users.close(), writes.close()]);
  });

  const get = async (path: string, method = 'GET') => {
    const r = await fetch(proxy.url + path, { method });
    return (await r.json()) as { name: string; url: string };
  };

  it('picks the longest matching prefix whatever the order in the file', async () => {
    expect(await get('/api/users/7')).toMatchObject({ name: 'users', url: '/users/7' });
    expect(await get('/api/orders/7')).toMatchObject({ name: 'legacy', url: '/api/orders/7' });
  });

  it('matches a prefix on whole segments only', async () => {
    expect(await get('/api/users')).toMatchObject({ name: 'users', url: '/users' });
    expect(await get('/api/users/')).toMatchObject({ name: 'users', url: '/users/' });
    expect(await get('/api/usersx')).toMatchObject({ name: 'legacy', url: '/api/usersx' });
    expect(await get('/apiary')).toMatchObject({ name: 'legacy', url: '/apiary' });
  });

  it('forwards the query string unchanged', async () => {
    expect(await get('/api/users?q=a%20b&x=%2F')).toMatchObject({ name: 'users', url: '/users?q=a%20b&x=%2F' });
    expect(await get('/api?q')).toMatchObject({ name: 'legacy', url: '/api?q' });
  });

  it('prefers a route that lists the method over one without a methods list', async () => {
    expect(await get('/api/things', 'POST')).toMatchObject({ name: 'writes' });
    expect(await get('/api/things', 'GET')).toMatchObject({ name: 'legacy' });
  });

  it('rewrites to the root without doubling slashes', async () => {
    expect(await get('/root-only')).toMatchObject({ name: 'users', url: '/' });
    expect(await get('/root-only/a/b?c')).toMatchObject({ name: 'users', url: '/a/b?c' });
  });

  it('is case-sensitive', async () => {
    expect(await get('/API/users/1')).toMatchObject({ name: 'legacy', url: '/API/users/1' });
  });
});

describe('no route', () => {
  it('answers 404 no_route as JSON with the request id', async () => {
    const up = await named('users');
    const proxy = await startProxy(upstreamsYaml({ users: up.url }) + 'routes:\n  - { prefix: /users, upstream: users }\n');
    try {
      const r = await fetch(proxy.url + '/orders/1', { headers: { 'x-request-id': 'req-123' } });
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toBe('application/json');
      expect(r.headers.get('x-request-id')).toBe('req-123');
      expect(await r.json()).toEqual({ error: 'no_route', message: 'no route matches GET /orders/1', requestId: 'req-123' });
      expect(up.received).toHaveLength(0);
    } finally {
      await proxy.close();
      await up.close();
    }
  });
});
