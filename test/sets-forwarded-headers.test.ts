// X-Forwarded-For / -Proto / -Host, X-Request-Id and Host, as the upstream sees them. Requests go
// on a raw socket so that the test controls every header byte (Host included).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, type RawResponse } from './helpers/raw.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

/** Every value of one header the upstream received, in order. */
const values = (raw: readonly string[], name: string) =>
  raw.flatMap((n, i) => (i % 2 === 0 && n.toLowerCase() === name ? [raw[i + 1]!] : []));

// The proxy listens on 127.0.0.1 and the tests connect from there.
const CLIENT = '127.0.0.1';
const SANE_ID = /^[\x21-\x7e]{1,128}$/;

interface Seen {
  readonly response: RawResponse;
  readonly upstream: string[];
}

async function through(proxy: TestProxy, up: Upstream, head: string, target = '/p'): Promise<Seen> {
  const before = up.received.length;
  const response = await rawRequest(proxy.port, Buffer.from(`GET ${target} HTTP/1.1\r\n${head}\r\n`, 'latin1'));
  expect(response.status, response.head).toBe(200);
  expect(up.received.length).toBe(before + 1);
  return { response, upstream: up.received[before]!.rawHeaders };
}

const answer = () => startUpstream((_req, res) => {
  // An upstream that sets its own X-Request-Id: the client must see the proxy's, once.
  res.writeHead(200, ['X-Request-Id', 'from-the-upstream', 'Content-Type', 'text/plain', 'Content-Length', '2']);
  res.end('ok');
});

describe('X-Forwarded-For', () => {
  const proxies: TestProxy[] = [];
  let up: Upstream;
  const at = async (trustedProxies: number) => {
    const proxy = await startProxy(`server:\n  trustedProxies: ${trustedProxies}\n` + upstreamsYaml({ up: up.url }) +
      'routes:\n  - { prefix: /, upstream: up }\n');
    proxies.push(proxy);
    return proxy;
  };

  beforeAll(async () => {
    up = await answer();
  });
  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.close()));
    await up.close();
  });

  it('with trustedProxies: 0 overwrites what the client sent with the client address', async () => {
    const proxy = await at(0);
    let seen = await through(proxy, up, 'Host: proxy.test\r\nX-Forwarded-For: 6.6.6.6\r\nX-Forwarded-For: 7.7.7.7, 8.8.8.8\r\n');
    expect(values(seen.upstream, 'x-forwarded-for')).toEqual([CLIENT]);
    seen = await through(proxy, up, 'Host: proxy.test\r\n');
    expect(values(seen.upstream, 'x-forwarded-for')).toEqual([CLIENT]);
  });

  it('with trustedProxies: 1 keeps the last hop the client sent and appends the client address', async () => {
    const proxy = await at(1);
    let seen = await through(proxy, up, 'Host: proxy.test\r\nX-Forwarded-For: 6.6.6.6, 10.0.0.1,10.0.0.2\r\n');
    expect(values(seen.upstream, 'x-forwarded-for')).toEqual([`10.0.0.2, ${CLIENT}`]);
    // Several header lines count as one list, in order.
    seen = await through(proxy, up, 'Host: proxy.test\r\nX-Forwarded-For: 6.6.6.6\r\nX-Forwarded-For: 10.0.0.2\r\n');
    expect(values(seen.upstream, 'x-forwarded-for')).toEqual([`10.0.0.2, ${CLIENT}`]);
    seen = await through(proxy, up, 'Host: proxy.test\r\n');
    expect(values(seen.upstream, 'x-forwarded-for')).toEqual([CLIENT]);
  });

  it('with trustedProxies: 2 keeps the last two hops', async () => {
    const proxy = await at(2);
    let seen = await through(proxy, up, 'Host: proxy.test\r\nX-Forwarded-For: 6.6.6.6, 10.0.0.1, 10.0.0.2\r\n');
    expect(values(seen.upstream, 'x-forwarded-for')).toEqual([`10.0.0.1, 10.0.0.2, ${CLIENT}`]);
    seen = await through(proxy, up, 'Host: proxy.test\r\nX-Forwarded-For: 10.0.0.2\r\n');
    expect(values(seen.upstream, 'x-forwarded-for')).toEqual([`10.0.0.2, ${CLIENT}`]);
  });

  it('with trustedProxies: 0 also overwrites X-Forwarded-Proto and X-Forwarded-Host', async () => {
    const proxy = await at(0);
    const seen = await through(proxy, up,
      'Host: shop.example:8443\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.example\r\n');
    expect(values(seen.upstream, 'x-forwarded-proto')).toEqual(['http']);
    expect(values(seen.upstream, 'x-forwarded-host')).toEqual(['shop.example:8443']);
  });

  it('with trustedProxies > 0 keeps the Proto and Host a trusted front proxy set', async () => {
    // An extension of the contract: the proxy in front terminated TLS and saw the original Host.
    const proxy = await at(1);
    const seen = await through(proxy, up,
      'Host: internal:8080\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: shop.example\r\n');
    expect(values(seen.upstream, 'x-forwarded-proto')).toEqual(['https']);
    expect(values(seen.upstream, 'x-forwarded-host')).toEqual(['shop.example']);
  });
});

describe('X-Forwarded-Proto, X-Forwarded-Host and Host', () => {
  let up: Upstream, proxy: TestProxy;

  beforeAll(async () => {
    up = await answer();
    proxy = await startProxy(upstreamsYaml({ up: up.url }) + `
routes:
  - { prefix: /, upstream: up }
  - { prefix: /internal, upstream: up, preserveHost: false }
`);
  });
  afterAll(async () => {
    await proxy.close();
    await up.close();
  });

  it('sets X-Forwarded-Proto: http and X-Forwarded-Host to the client Host', async () => {
    const seen = await through(proxy, up, 'Host: shop.example:8080\r\n');
    expect(values(seen.upstream, 'x-forwarded-proto')).toEqual(['http']);
    expect(values(seen.upstream, 'x-forwarded-host')).toEqual(['shop.example:8080']);
  });

  // Contract v2: preserveHost defaults to true (it was false).
  it("forwards the client's Host by default (preserveHost defaults to true)", async () => {
    const seen = await through(proxy, up, 'Host: shop.example:8080\r\n');
    expect(values(seen.upstream, 'host')).toEqual(['shop.example:8080']);
    expect(values(seen.upstream, 'x-forwarded-host')).toEqual(['shop.example:8080']);
  });

  it("sends the upstream's host:port as Host with preserveHost: false", async () => {
    const seen = await through(proxy, up, 'Host: shop.example:8080\r\n', '/internal/x');
    expect(values(seen.upstream, 'host')).toEqual([`127.0.0.1:${up.port}`]);
    expect(values(seen.upstream, 'x-forwarded-host')).toEqual(['shop.example:8080']);
  });

  it('sends a single Host even when the client sent an absolute-form target', async () => {
    for (const target of ['http://other.example/x', 'http://other.example/internal/x']) {
      const seen = await through(proxy, up, 'Host: shop.example\r\n', target);
      expect(values(seen.upstream, 'host')).toHaveLength(1);
    }
  });
});

describe('X-Request-Id', () => {
  let up: Upstream, proxy: TestProxy;

  beforeAll(async () => {
    up = await answer();
    proxy = await startProxy(upstreamsYaml({ up: up.url }) + 'routes:\n  - { prefix: /, upstream: up }\n');
  });
  afterAll(async () => {
    await proxy.close();
    await up.close();
  });

  /** The id the upstream saw, after checking that the client got the same one, once. */
  const idOf = async (head: string) => {
    const seen = await through(proxy, up, 'Host: proxy.test\r\n' + head);
    const upstream = values(seen.upstream, 'x-request-id');
    expect(upstream).toHaveLength(1);
    const responseIds = seen.response.head.split('\r\n').filter((l) => /^x-request-id:/i.test(l));
    expect(responseIds).toEqual([`x-request-id: ${upstream[0]}`]);
    return upstream[0]!;
  };

  it('keeps a sane id and echoes it on the response', async () => {
    expect(await idOf('X-Request-Id: abc-123\r\n')).toBe('abc-123');
    const longest = '!' + 'a'.repeat(126) + '~';
    expect(await idOf(`X-Request-Id: ${longest}\r\n`)).toBe(longest);
  });

  it.each([
    ['too long (129)', 'a'.repeat(129)],
    ['with a space', 'abc def'],
    ['with a tab', 'abc\tdef'],
    ['with a non-ASCII byte', 'caf\xe9'],
  ])('replaces an id %s by a generated one, and echoes that', async (_what, sent) => {
    const id = await idOf(`X-Request-Id: ${sent}\r\n`);
    expect(id).not.toBe(sent.trim());
    expect(id).toMatch(SANE_ID);
  });

  it('generates an id when none or an empty one is sent, a new one per request', async () => {
    const a = await idOf('');
    const b = await idOf('');
    const c = await idOf('X-Request-Id: \r\n');
    for (const id of [a, b, c]) expect(id).toMatch(SANE_ID);
    expect(new Set([a, b, c]).size).toBe(3);
  });

  it("replaces the upstream's own X-Request-Id on the response", async () => {
    const id = await idOf('X-Request-Id: mine\r\n');
    expect(id).toBe('mine');
  });
});
