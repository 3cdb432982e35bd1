// A real FastAPI app (Debian's python3-fastapi under uvicorn, test/fixtures/fastapi-shop) behind
// the proxy, with the routes.yaml a user would write. The client reaches the proxy as
// http://localhost:PORT (the public origin); the app listens on 127.0.0.1:OTHER (the upstream's
// own origin, which a client must never be sent to).
// - Default route settings (preserveHost true, contract v2): the app sees the client's Host, so
//   its trailing-slash redirect and the absolute URLs it builds with request.url_for name the
//   public origin.
// - preserveHost: false: the app sees its own address as Host; the proxy rewrites a Location
//   pointing at the upstream's origin to the public origin (as nginx's `proxy_redirect default`).
//   Bodies are the app's own and are never rewritten: their URLs name the upstream's address
//   (uvicorn honours X-Forwarded-Proto from 127.0.0.1 but not X-Forwarded-Host), which the README
//   says is why preserveHost defaults to true.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFastApiShop, type RealApp } from './helpers/real-apps.js';
import { startProxy, type TestProxy } from './helpers/servers.js';

let shop: RealApp;

beforeAll(async () => {
  shop = await startFastApiShop();
}, 60_000);

afterAll(async () => {
  await shop?.close();
});

function routesYaml(routeExtra: string): string {
  return `upstreams:
  shop:
    url: ${shop.url}
routes:
  - prefix: /users
    upstream: shop
${routeExtra}`;
}

async function get(url: string): Promise<Response> {
  return fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
}

describe('FastAPI behind the proxy with default route settings', () => {
  let proxy: TestProxy;
  let publicOrigin: string;

  beforeAll(async () => {
    proxy = await startProxy(routesYaml(''));
    publicOrigin = `http://localhost:${proxy.port}`;
  });

  afterAll(async () => {
    await proxy?.close();
  });

  it("sends the trailing-slash redirect to the public origin, and following it stays on the proxy", async () => {
    const res = await get(`${publicOrigin}/users/1/`);
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe(`${publicOrigin}/users/1`);

    const followed = await fetch(`${publicOrigin}/users/1/`, { signal: AbortSignal.timeout(10_000) });
    expect(followed.status).toBe(200);
    expect(followed.url).toBe(`${publicOrigin}/users/1`);
  });

  it('builds the absolute URLs in its JSON from the public origin', async () => {
    const res = await get(`${publicOrigin}/users/1`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      id: 1,
      name: 'Ada Lovelace',
      self: `${publicOrigin}/users/1`,
      orders: `${publicOrigin}/users/1/orders`,
    });
  });
});

describe('FastAPI behind the proxy with preserveHost: false', () => {
  let proxy: TestProxy;
  let publicOrigin: string;

  beforeAll(async () => {
    proxy = await startProxy(routesYaml('    preserveHost: false\n'));
    publicOrigin = `http://localhost:${proxy.port}`;
  });

  afterAll(async () => {
    await proxy?.close();
  });

  it("rewrites the redirect's Location from the upstream's origin to the public origin", async () => {
    const res = await get(`${publicOrigin}/users/2/`);
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe(`${publicOrigin}/users/2`);

    const followed = await fetch(`${publicOrigin}/users/2/`, { signal: AbortSignal.timeout(10_000) });
    expect(followed.status).toBe(200);
    expect(followed.url).toBe(`${publicOrigin}/users/2`);
  });

  it("leaves the body as the app wrote it: its URLs name the upstream's own address", async () => {
    const res = await get(`${publicOrigin}/users/2`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      id: 2,
      name: 'Grace Hopper',
      self: `${shop.url}/users/2`,
      orders: `${shop.url}/users/2/orders`,
    });
  });
});
