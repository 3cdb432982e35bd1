// Path templates through a real proxy: the extraction boundary (`/api/users/{id}/details`
// stays on the monolith while `/api/users` moves), specificity, `{name}` in prefixRewrite for the
// upstream, the shadow and the canary, and the template text wherever a route is shown.
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShadowEvent } from '../src/shadow/log-line.js';
import { LOG } from '../src/observability/log-messages.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

// Each upstream answers with its name and the path it received.
const named = (name: string) => startUpstream((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ name, url: req.url }));
});

let legacy: Upstream, users: Upstream, next: Upstream, canary: Upstream, proxy: TestProxy;

beforeAll(async () => {
  [legacy, users, next, canary] = await Promise.all([named('legacy'), named('users'), named('next'), named('canary')]);
  proxy = await startProxy(upstreamsYaml({ legacy: legacy.url, users: users.url, next: next.url, canary: canary.url }) + `
routes:
  - prefix: /api/users/{id}/details
    upstream: legacy
  - prefix: /
    upstream: legacy
  - prefix: /api/users
    upstream: users
    prefixRewrite: /users
  - prefix: /api/users/me
    upstream: users
  - prefix: /api/users/{id}/orders/{order}
    upstream: users
    prefixRewrite: /v2/orders/{order}/of/{id}
    shadow: { upstream: next, prefixRewrite: "/shadow/{id}/{order}" }
  - prefix: /api/items/{sku}
    upstream: users
    prefixRewrite: /items/{sku}
    canary: { upstream: canary, percent: 0, forceHeader: x-canary }
`);
});
afterAll(async () => {
  await proxy.close();
  await Promise.all([legacy.close(), users.close(), next.close(), canary.close()]);
});

const get = async (path: string, headers: Record<string, string> = {}) => {
  const r = await fetch(proxy.url + path, { headers });
  return (await r.json()) as { name: string; url: string };
};

describe('the issue: an extraction boundary that is not a prefix', () => {
  it('keeps /api/users/{id}/details on the monolith while /api/users goes to the new service', async () => {
    expect(await get('/api/users')).toEqual({ name: 'users', url: '/users' });
    expect(await get('/api/users/7')).toEqual({ name: 'users', url: '/users/7' });
    expect(await get('/api/users/7/details')).toEqual({ name: 'legacy', url: '/api/users/7/details' });
    expect(await get('/api/users/7/details/address?fields=all')).toEqual({ name: 'legacy', url: '/api/users/7/details/address?fields=all' });
    expect(await get('/api/users/abc/details/')).toEqual({ name: 'legacy', url: '/api/users/abc/details/' });
  });

  it('matches {id} on one whole, non-empty segment only', async () => {
    expect(await get('/api/users//details')).toEqual({ name: 'users', url: '/users//details' });
    expect(await get('/api/users/7/detailsx')).toEqual({ name: 'users', url: '/users/7/detailsx' });
    expect(await get('/api/users/7/8/details')).toEqual({ name: 'users', url: '/users/7/8/details' });
  });

  it('prefers more segments, then a literal over {name}', async () => {
    expect(await get('/api/users/me')).toEqual({ name: 'users', url: '/api/users/me' });
    expect(await get('/api/users/me/details')).toEqual({ name: 'legacy', url: '/api/users/me/details' });
  });
});

describe('prefixRewrite with names', () => {
  it('fills the names for the upstream and the shadow, and keeps the rest and the query', async () => {
    const event = once(proxy.proxy.shadow, 'event').then(([e]) => e as ShadowEvent);
    expect(await get('/api/users/7/orders/42/lines?x=1')).toEqual({ name: 'users', url: '/v2/orders/42/of/7/lines?x=1' });
    const e = await event;
    expect(next.received.map((r) => r.url)).toEqual(['/shadow/7/42/lines?x=1']);
    expect(e.route).toBe('/api/users/{id}/orders/{order}');
  });

  it('fills them for the canary as for the primary', async () => {
    expect(await get('/api/items/sku-1/stock', { 'x-canary': 'on' })).toEqual({ name: 'canary', url: '/items/sku-1/stock' });
    expect(await get('/api/items/sku-2', { 'x-canary': 'off' })).toEqual({ name: 'users', url: '/items/sku-2' });
  });
});

describe('the template text is what a route is shown as', () => {
  it('in the access log, the metrics labels and /routes', async () => {
    const r = await fetch(proxy.url + '/api/users/99/details', { headers: { 'x-request-id': 'tmpl-1' } });
    await r.text();
    const line = await proxy.logLine((l) => l['msg'] === LOG.request && l['requestId'] === 'tmpl-1');
    expect(line).toMatchObject({ path: '/api/users/99/details', route: '/api/users/{id}/details', upstream: 'legacy' });
    const metrics = await (await fetch(proxy.adminUrl + '/metrics')).text();
    expect(metrics).toMatch(/strangler_requests_total\{route="\/api\/users\/\{id\}\/details",upstream="legacy",method="GET",status="200"\} \d+/);
    expect(metrics).not.toContain('/api/users/99');
    const routes = (await (await fetch(proxy.adminUrl + '/routes')).json()) as { routes: { prefix: string; prefixRewrite: string | null }[] };
    expect(routes.routes.map((x) => x.prefix)).toContain('/api/users/{id}/details');
    expect(routes.routes.find((x) => x.prefix === '/api/users/{id}/orders/{order}')?.prefixRewrite).toBe('/v2/orders/{order}/of/{id}');
  });
});
