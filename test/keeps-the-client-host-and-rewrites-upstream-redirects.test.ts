// Contract v2: preserveHost defaults to true (the upstream sees the client's Host, as Django's
// ALLOWED_HOSTS needs); with preserveHost: false, a Location or Content-Location pointing at the
// upstream's own origin is rewritten to the client-facing one (nginx's `proxy_redirect default`).
// Either way the client never sees the upstream's internal address. A shadow copy carries the
// Host the primary request carries.

import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { rawRequest } from './helpers/raw.js';
import { refusedPort, startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

let app: Upstream | undefined, other: Upstream | undefined, proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await Promise.all([app?.close(), other?.close()]);
  proxy = app = other = undefined;
});

/** Like FastAPI's trailing-slash redirect: absolute URLs built from the Host it received. */
function framework(req: IncomingMessage, res: ServerResponse): void {
  const self = `http://${req.headers.host}`;
  const url = req.url!;
  if (url.startsWith('/users/1?')) return void res.writeHead(307, { location: `${self}/users/1/?${url.split('?')[1]}` }).end();
  if (url === '/users') return void res.writeHead(201, { location: `${self}/users/7`, 'content-location': `${self}/users/7` }).end('created');
  // Django with SECURE_PROXY_SSL_HEADER (and no USE_X_FORWARDED_HOST): https, and the Host it saw.
  if (url === '/secure-absolute') return void res.writeHead(302, { location: `${req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http'}://${req.headers.host}/somewhere/` }).end();
  if (url === '/away') return void res.writeHead(302, { location: 'http://elsewhere.example/x' }).end();
  if (url === '/relative') return void res.writeHead(302, { location: '/login?next=%2Fa' }).end();
  if (url === '/scheme-relative') return void res.writeHead(302, { location: `//${req.headers.host}/login` }).end();
  res.end('ok');
}

const get = (target: string, head = 'Host: shop.example:8080\r\n', method = 'GET') =>
  rawRequest(proxy!.port, `${method} ${target} HTTP/1.1\r\n${head}Connection: close\r\n\r\n`);

describe('preserveHost (default true)', () => {
  it("sends the client's Host, so the app's own absolute URLs are already public", async () => {
    app = await startUpstream(framework);
    proxy = await startProxy(upstreamsYaml({ app: app.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    const r = await get('/users/1?a=b');
    expect(r.status).toBe(307);
    expect(r.headers['location']).toBe('http://shop.example:8080/users/1/?a=b');
    expect(app.received[0]!.headers.host).toBe('shop.example:8080');
  });
});

describe('preserveHost: false', () => {
  it("sends the upstream's host and rewrites Location and Content-Location back to the client's origin", async () => {
    app = await startUpstream(framework);
    proxy = await startProxy(upstreamsYaml({ app: app.url }) + 'routes:\n  - { prefix: /, upstream: app, preserveHost: false }\n');
    const r = await get('/users/1?a=b');
    expect(app.received[0]!.headers.host).toBe(`127.0.0.1:${app.port}`);
    expect(r.status).toBe(307);
    expect(r.headers['location']).toBe('http://shop.example:8080/users/1/?a=b');
    const created = await get('/users', 'Host: shop.example\r\nContent-Length: 0\r\n', 'POST');
    expect(created.status).toBe(201);
    expect(created.headers['location']).toBe('http://shop.example/users/7');
    expect(created.headers['content-location']).toBe('http://shop.example/users/7');
    expect(created.head).not.toContain(`127.0.0.1:${app.port}`);
  });

  it('applies from defaults: too, and leaves other origins and relative URLs alone', async () => {
    app = await startUpstream(framework);
    proxy = await startProxy(upstreamsYaml({ app: app.url }) + 'defaults:\n  preserveHost: false\nroutes:\n  - { prefix: /, upstream: app }\n');
    expect((await get('/users/1?a=b')).headers['location']).toBe('http://shop.example:8080/users/1/?a=b');
    expect((await get('/away')).headers['location']).toBe('http://elsewhere.example/x');
    expect((await get('/relative')).headers['location']).toBe('/login?next=%2Fa');
    // A scheme-relative URL naming the upstream is its origin too.
    expect((await get('/scheme-relative')).headers['location']).toBe('http://shop.example:8080/login');
  });

  it('takes the scheme the proxy sends as X-Forwarded-Proto: a trusted https, never an untrusted one', async () => {
    app = await startUpstream(framework);
    for (const [trusted, scheme] of [[1, 'https'], [0, 'http']] as const) {
      proxy = await startProxy(`server:\n  trustedProxies: ${trusted}\n` + upstreamsYaml({ app: app.url }) + 'routes:\n  - { prefix: /, upstream: app, preserveHost: false }\n');
      const r = await get('/users/1?a=b', 'Host: shop.example\r\nX-Forwarded-Proto: https\r\n');
      expect(r.headers['location'], `trustedProxies ${trusted}`).toBe(`${scheme}://shop.example/users/1/?a=b`);
      // A trusted side whose X-Forwarded-For is no address is not trusted: its https is not either.
      // An app told https builds https:// URLs with its own host: rewritten too when the client came over https.
      const own = await get('/secure-absolute', 'Host: shop.example\r\nX-Forwarded-Proto: https\r\n');
      expect(own.headers['location'], `trustedProxies ${trusted}`).toBe(`${scheme}://shop.example/somewhere/`);
      const spoofed = await get('/users/1?a=b', 'Host: shop.example\r\nX-Forwarded-For: not-an-ip\r\nX-Forwarded-Proto: https\r\n');
      expect(spoofed.headers['location'], `trustedProxies ${trusted}, bad X-Forwarded-For`).toBe('http://shop.example/users/1/?a=b');
      await proxy.close();
      proxy = undefined;
    }
  });

  it("rewrites the origin of the upstream that answered: the fallback's", async () => {
    app = await startUpstream(framework);
    const down = await refusedPort();
    proxy = await startProxy(upstreamsYaml({ users: `http://127.0.0.1:${down}`, legacy: app.url }) +
      'routes:\n  - { prefix: /, upstream: users, fallback: legacy, preserveHost: false }\n');
    const r = await get('/users/1?a=b');
    expect(r.headers['x-strangler-fallback']).toBe('legacy');
    expect(r.headers['location']).toBe('http://shop.example:8080/users/1/?a=b');
  });
});

describe('a shadow copy', () => {
  it("carries the client's Host, as the primary request does (default preserveHost)", async () => {
    app = await startUpstream(framework);
    other = await startUpstream(framework);
    proxy = await startProxy(upstreamsYaml({ legacy: app.url, next: other.url }) + 'routes:\n  - { prefix: /, upstream: legacy, shadow: { upstream: next } }\n');
    const compared = once(proxy.proxy.shadow, 'event');
    await get('/plain');
    await compared;
    expect(app.received[0]!.headers.host).toBe('shop.example:8080');
    expect(other.received[0]!.headers.host).toBe('shop.example:8080');
  });

  it("with preserveHost: false, each side gets its own upstream's host, as the primary does", async () => {
    app = await startUpstream(framework);
    other = await startUpstream(framework);
    proxy = await startProxy(upstreamsYaml({ legacy: app.url, next: other.url }) + 'routes:\n  - { prefix: /, upstream: legacy, preserveHost: false, shadow: { upstream: next } }\n');
    const compared = once(proxy.proxy.shadow, 'event');
    await get('/plain');
    await compared;
    expect(app.received[0]!.headers.host).toBe(`127.0.0.1:${app.port}`);
    expect(other.received[0]!.headers.host).toBe(`127.0.0.1:${other.port}`);
  });
});
