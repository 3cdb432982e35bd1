import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from './helpers/raw.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

// Each upstream answers "<its name> <the path it received>".
const named = (name: string): http.RequestListener => (req, res) => res.end(`${name} ${req.url}`);

describe('host routes: exact host, then wildcard, then routes of any host', () => {
  let proxy: TestProxy;
  const ups: Upstream[] = [];

  beforeAll(async () => {
    for (const n of ['exact', 'wild', 'other', 'any']) ups.push(await startUpstream(named(n)));
    const [exact, wild, other, any] = ups.map((u) => u.url);
    proxy = await startProxy(
      upstreamsYaml({ exact: exact!, wild: wild!, other: other!, any: any! }) +
        `routes:
  - { host: api.example.com, prefix: /users, upstream: exact }
  - { host: api.example.com, prefix: /only-exact, upstream: exact }
  - { host: "*.example.com", prefix: /users, upstream: wild }
  - { host: "*.example.com", prefix: /users/admin, upstream: wild, prefixRewrite: /admin-area }
  - { host: other.test, prefix: "/users/{id}/details", upstream: other }
  - { host: API2.Example.COM, prefix: /x, upstream: exact }
  - { prefix: /users, upstream: any }
  - { prefix: /, upstream: any }
`,
    );
  });
  afterAll(async () => {
    await proxy.close();
    for (const u of ups) await u.close();
  });

  const get = async (host: string, path: string, id?: string): Promise<string> => {
    const r = await rawRequest(proxy.port, `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${id ? `X-Request-Id: ${id}\r\n` : ''}Connection: close\r\n\r\n`);
    expect(r.status).toBe(200);
    return r.body;
  };

  it('an exact host beats a wildcard, which beats the routes of any host', async () => {
    expect(await get('api.example.com', '/users/1')).toBe('exact /users/1');
    expect(await get('a.example.com', '/users/1')).toBe('wild /users/1');
    expect(await get('unknown.test', '/users/1')).toBe('any /users/1');
  });

  it('considers the exact host set first, even when a wildcard route has a longer prefix', async () => {
    expect(await get('api.example.com', '/users/admin/x')).toBe('exact /users/admin/x');
    expect(await get('b.example.com', '/users/admin/x')).toBe('wild /admin-area/x');
  });

  it('a wildcard covers exactly one label', async () => {
    expect(await get('example.com', '/users')).toBe('any /users');
    expect(await get('a.b.example.com', '/users')).toBe('any /users');
  });

  it('ignores the case and the port of the Host header, and the case of the configured host', async () => {
    expect(await get('API.Example.COM:8080', '/users')).toBe('exact /users');
    expect(await get('Zed.EXAMPLE.com:443', '/users')).toBe('wild /users');
    expect(await get('api2.example.com', '/x/y')).toBe('exact /x/y');
  });

  it("a more specific prefix on one host does not take another host's request", async () => {
    expect(await get('api.example.com', '/users/7/details')).toBe('exact /users/7/details');
    expect(await get('other.test', '/users/7/details')).toBe('other /users/7/details');
    expect(await get('unknown.test', '/users/7/details')).toBe('any /users/7/details');
  });

  it('falls through to the routes of any host when no host route matches the path', async () => {
    expect(await get('api.example.com', '/orders/1')).toBe('any /orders/1');
    expect(await get('other.test', '/users/7')).toBe('any /users/7');
    expect(await get('api.example.com', '/only-exact')).toBe('exact /only-exact');
    expect(await get('b.example.com', '/only-exact')).toBe('any /only-exact');
  });

  it('routes an absolute-form target by its authority rather than the Host header', async () => {
    expect(await get('unknown.test', 'http://api.example.com/users/2')).toBe('exact /users/2');
    expect(await get('api.example.com', 'http://c.example.com:81/users/2')).toBe('wild /users/2');
  });

  it('an HTTP/1.0 request without Host takes the routes of any host', async () => {
    const r = await rawRequest(proxy.port, 'GET /users/3 HTTP/1.0\r\n\r\n');
    expect(r.status).toBe(200);
    expect(r.body).toBe('any /users/3');
  });

  it('names a host route host + prefix in the access log and the metrics; a route of any host by its prefix', async () => {
    await get('api.example.com', '/users/9', 'host-label-1');
    await get('a.example.com', '/users/9', 'host-label-2');
    await get('unknown.test', '/users/9', 'host-label-3');
    const line = (id: string) => proxy.logLine((l) => l.msg === LOG.request && l.requestId === id);
    expect(await line('host-label-1')).toMatchObject({ route: 'api.example.com/users', upstream: 'exact' });
    expect(await line('host-label-2')).toMatchObject({ route: '*.example.com/users', upstream: 'wild' });
    expect(await line('host-label-3')).toMatchObject({ route: '/users', upstream: 'any' });
    const metrics = await (await fetch(`${proxy.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/strangler_requests_total\{route="api\.example\.com\/users",upstream="exact"/);
    expect(metrics).toMatch(/strangler_requests_total\{route="\*\.example\.com\/users",upstream="wild"/);
    expect(metrics).toMatch(/strangler_requests_total\{route="\/users",upstream="any"/);
  });

  it('shows the host of each host route in /routes', async () => {
    const routes = (await (await fetch(`${proxy.adminUrl}/routes`)).json()) as { routes: Record<string, unknown>[] };
    expect(routes.routes[0]).toMatchObject({ host: 'api.example.com', prefix: '/users', upstream: 'exact' });
    expect(routes.routes[5]).toMatchObject({ host: 'api2.example.com', prefix: '/x' });
    expect(routes.routes[6]).not.toHaveProperty('host');
  });
});
