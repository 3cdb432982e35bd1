// A real Rails app (Debian's ruby-railties 6.1 under rackup: test/fixtures/rails-shop) behind the
// proxy, with the routes.yaml a user would write, checked for what the README's "Putting
// strangler in front of your app" says of Rails. Its `config.hosts` names the public host only
// (localhost), as a deployment's would; the client reaches the proxy as http(s)://localhost:PORT.
// - Default route settings: Rails' host authorization lets the request in, its CSRF-protected
//   form round-trips with the session cookie, and its absolute redirect names the public origin.
// - X-Forwarded-For: a client's own value never becomes Rails' request.remote_ip; with
//   trustedProxies: 1 (a load balancer in front), the address that hop saw does.
// - preserveHost: false: Rails sees the upstream's own address as Host and refuses it (403),
//   as Django does (400) unless that address is allowed.
// - TLS at the proxy: X-Forwarded-Proto says https, so Rails' request.ssl? is true and its
//   redirect stays on https.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import { TestPki } from './helpers/pki.js';
import { startRailsShop, type RealApp } from './helpers/real-apps.js';
import { startProxy, type TestProxy } from './helpers/servers.js';

let shop: RealApp;

beforeAll(async () => {
  shop = await startRailsShop({ hosts: ['localhost'] });
}, 60_000);

afterAll(async () => {
  await shop?.close();
});

function routesYaml(server = '', routeExtra = ''): string {
  return `${server}upstreams:
  shop:
    url: ${shop.url}
routes:
  - prefix: /
    upstream: shop
${routeExtra}`;
}

/** A browser's cookie jar, enough for one origin: name=value pairs from Set-Cookie. */
class Jar {
  readonly #cookies = new Map<string, string>();

  take(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(';')[0]!;
      const eq = pair.indexOf('=');
      this.#cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  }

  get header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

interface Client {
  readonly origin: string;
  readonly dispatcher?: Agent;
}

async function send(c: Client, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}, jar?: Jar): Promise<Response> {
  const headers = { ...init.headers, ...(jar ? { cookie: jar.header } : {}) };
  const res = await fetch(`${c.origin}${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body === undefined ? {} : { body: init.body }),
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
    ...(c.dispatcher ? { dispatcher: c.dispatcher } : {}),
  } as RequestInit);
  jar?.take(res);
  return res;
}

/** GET the form (its token and the session cookie), POST it back: the answer to the POST. */
async function signUp(c: Client, jar: Jar, name: string): Promise<Response> {
  const page = await send(c, '/signup', {}, jar);
  expect(page.status).toBe(200);
  const token = /name="authenticity_token" value="([^"]+)"/.exec(await page.text())?.[1];
  expect(token).toBeTruthy();
  const form = new URLSearchParams({ authenticity_token: token!, name }).toString();
  return send(c, '/signup', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form }, jar);
}

describe('Rails behind the proxy with default route settings', () => {
  let proxy: TestProxy;
  let client: Client;

  beforeAll(async () => {
    proxy = await startProxy(routesYaml());
    client = { origin: `http://localhost:${proxy.port}` };
  });

  afterAll(async () => {
    await proxy?.close();
  });

  it('round-trips the CSRF-protected form with the session cookie, and redirects to the public origin', async () => {
    const jar = new Jar();
    const posted = await signUp(client, jar, 'ada');
    expect(posted.status).toBe(302);
    expect(posted.headers.get('location')).toBe(`${client.origin}/welcome`);

    const welcome = await send(client, '/welcome', {}, jar);
    expect(welcome.status).toBe(200);
    expect(await welcome.text()).toBe('welcome, ada');
  });

  it('lets Rails refuse a POST without the form token, as it would without the proxy', async () => {
    const res = await send(client, '/signup', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=eve' });
    expect(res.status).toBe(422);
  });

  it("sees the public host and never takes a client's own X-Forwarded-For as the client address", async () => {
    const res = await send(client, '/request-info', { headers: { 'x-forwarded-for': '203.0.113.66' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ host: `localhost:${proxy.port}`, url: `${client.origin}/request-info`, ssl: false, remoteIp: '127.0.0.1' });
  });
});

describe('Rails behind the proxy behind a load balancer (trustedProxies: 1)', () => {
  it('takes the address the load balancer saw as request.remote_ip', async () => {
    const proxy = await startProxy(routesYaml('server:\n  trustedProxies: 1\n'));
    try {
      const res = await send({ origin: `http://localhost:${proxy.port}` }, '/request-info', { headers: { 'x-forwarded-for': '203.0.113.7' } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { remoteIp: string }).remoteIp).toBe('203.0.113.7');
    } finally {
      await proxy.close();
    }
  });
});

describe('Rails behind the proxy with preserveHost: false', () => {
  it("is refused by Rails' host authorization: the app sees its own address as Host", async () => {
    const proxy = await startProxy(routesYaml('', '    preserveHost: false\n'));
    try {
      const res = await send({ origin: `http://localhost:${proxy.port}` }, '/request-info');
      expect(res.status).toBe(403);
      // (Rails checks Host and X-Forwarded-Host both; its page names request.host, which it
      // takes from X-Forwarded-Host: the public name, though Host was the refused one.)
      expect(await res.text()).toContain('<h1>Blocked host: localhost</h1>');
    } finally {
      await proxy.close();
    }
  });
});

describe('Rails behind the proxy serving TLS', () => {
  let pki: TestPki;
  let proxy: TestProxy;
  let client: Client;

  beforeAll(async () => {
    pki = new TestPki();
    const leaf = pki.issue({ names: ['localhost'] });
    proxy = await startProxy(routesYaml(`server:\n  tls: { cert: ${leaf.certFile}, key: ${leaf.keyFile} }\n`));
    client = { origin: `https://localhost:${proxy.port}`, dispatcher: new Agent({ connect: { ca: pki.ca } }) };
  });

  afterAll(async () => {
    await client?.dispatcher?.close();
    await proxy?.close();
    pki?.cleanup();
  });

  it('tells Rails the request was https: request.ssl? is true and the redirect stays on https', async () => {
    const info = await send(client, '/request-info');
    expect(info.status).toBe(200);
    expect(await info.json()).toMatchObject({ host: `localhost:${proxy.port}`, url: `${client.origin}/request-info`, ssl: true });

    const jar = new Jar();
    const posted = await signUp(client, jar, 'grace');
    expect(posted.status).toBe(302);
    expect(posted.headers.get('location')).toBe(`${client.origin}/welcome`);
    expect(await (await send(client, '/welcome', {}, jar)).text()).toBe('welcome, grace');
  });
});
