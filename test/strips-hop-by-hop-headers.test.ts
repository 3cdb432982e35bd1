// Hop-by-hop headers stop at the proxy in both directions; end-to-end headers pass with their
// case, order and duplicates. Requests go on a raw socket (fetch refuses to send most of these).

import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from './helpers/raw.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

/** Header names in a flat raw list, lower-cased. */
const names = (raw: readonly string[]) => raw.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
/** Every [name, value] pair whose name matches, case-insensitively, with the name as sent. */
const pairs = (raw: readonly string[], name: string) => {
  const out: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === name) out.push([raw[i]!, raw[i + 1]!]);
  return out;
};

interface NodeResponse {
  readonly status: number;
  readonly rawHeaders: string[];
  readonly body: string;
}

/** A plain node:http GET (no agent), for raw response headers with case and duplicates. */
function nodeGet(url: string): Promise<NodeResponse> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, rawHeaders: res.rawHeaders, body }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

describe('hop-by-hop request headers', () => {
  let up: Upstream, proxy: TestProxy;

  beforeAll(async () => {
    up = await startUpstream((_req, res) => res.end('ok'));
    proxy = await startProxy(upstreamsYaml({ up: up.url }) + 'routes:\n  - { prefix: /, upstream: up }\n');
  });
  afterAll(async () => {
    await proxy.close();
    await up.close();
  });

  const send = async (head: string) => {
    const before = up.received.length;
    const r = await rawRequest(proxy.port, `GET /h HTTP/1.1\r\nHost: proxy.test\r\n${head}\r\n`);
    expect(r.status, r.head).toBe(200);
    expect(up.received.length).toBe(before + 1);
    return up.received[before]!.rawHeaders;
  };

  it('drops the headers that Connection names, and Connection itself', async () => {
    const raw = await send(
      'Connection: close, X-Secret\r\n' +
      'X-Secret: s\r\n' +
      'X-Kept: k\r\n',
    );
    expect(names(raw)).not.toContain('x-secret');
    expect(pairs(raw, 'x-kept')).toEqual([['X-Kept', 'k']]);
    // The upstream connection's own Connection header (if any) is the proxy's, not the client's.
    for (const [, v] of pairs(raw, 'connection')) expect(v.toLowerCase()).not.toMatch(/x-secret|close/);
  });

  it('honours every Connection header field and matches the named headers case-insensitively', async () => {
    const raw = await send(
      'Connection: x-one\r\n' +
      'Connection: X-TWO , ,x-three\r\n' +
      'X-ONE: 1\r\n' +
      'x-two: 2\r\n' +
      'X-Three: 3\r\n' +
      'X-Four: 4\r\n',
    );
    expect(names(raw)).not.toContain('x-one');
    expect(names(raw)).not.toContain('x-two');
    expect(names(raw)).not.toContain('x-three');
    expect(pairs(raw, 'x-four')).toEqual([['X-Four', '4']]);
  });

  it('drops Keep-Alive, TE, Trailer, Proxy-* and a bare Upgrade (not an upgrade request)', async () => {
    const raw = await send(
      'Keep-Alive: timeout=5, max=100\r\n' +
      'TE: trailers\r\n' +
      'Trailer: X-Checksum\r\n' +
      'Proxy-Authorization: Basic dXNlcjpwYXNz\r\n' +
      'Proxy-Connection: keep-alive\r\n' +
      'Proxy-Foo: bar\r\n' +
      // Without `Connection: upgrade` Node treats this as a plain request, which must still lose it.
      'Upgrade: foo/1\r\n' +
      'X-End-To-End: yes\r\n',
    );
    const got = names(raw);
    for (const hop of ['keep-alive', 'te', 'trailer', 'proxy-authorization', 'proxy-connection', 'proxy-foo', 'upgrade']) {
      expect(got, hop).not.toContain(hop);
    }
    expect(pairs(raw, 'x-end-to-end')).toEqual([['X-End-To-End', 'yes']]);
  });

  it('keeps end-to-end headers with their case, order and duplicates', async () => {
    const raw = await send(
      'X-Mixed-CASE: A\r\n' +
      'x-dup: 1\r\n' +
      'Accept: text/plain\r\n' +
      'X-Dup: 2\r\n' +
      'Cookie: a=1\r\n' +
      'Cookie: b=2\r\n' +
      'Authorization: Bearer t\r\n',
    );
    expect(pairs(raw, 'x-mixed-case')).toEqual([['X-Mixed-CASE', 'A']]);
    expect(pairs(raw, 'x-dup')).toEqual([['x-dup', '1'], ['X-Dup', '2']]);
    expect(pairs(raw, 'cookie')).toEqual([['Cookie', 'a=1'], ['Cookie', 'b=2']]);
    expect(pairs(raw, 'authorization')).toEqual([['Authorization', 'Bearer t']]);
    const order = names(raw).filter((n) => ['x-mixed-case', 'x-dup', 'accept'].includes(n));
    expect(order).toEqual(['x-mixed-case', 'x-dup', 'accept', 'x-dup']);
  });
});

describe('hop-by-hop response headers', () => {
  let up: Upstream, proxy: TestProxy;

  beforeAll(async () => {
    up = await startUpstream((req, res) => {
      res.writeHead(200, [
        'Connection', 'X-Internal, x-other',
        'X-Internal', 'secret',
        'X-OTHER', 'secret too',
        'Keep-Alive', 'timeout=5',
        'Proxy-Authenticate', 'Basic realm="x"',
        'Proxy-Connection', 'keep-alive',
        'Trailer', 'X-Checksum',
        'Upgrade', 'h2c',
        'Set-Cookie', 'a=1; Path=/',
        'Content-Type', 'text/plain',
        'Set-Cookie', 'b=2; Path=/',
        'X-Mixed-CASE', 'v',
        'Vary', 'Accept',
        'Vary', 'Cookie',
      ]);
      res.addTrailers({ 'X-Checksum': 'abc' });
      res.end(`hello ${req.url}`);
    });
    proxy = await startProxy(upstreamsYaml({ up: up.url }) + 'routes:\n  - { prefix: /, upstream: up }\n');
  });
  afterAll(async () => {
    await proxy.close();
    await up.close();
  });

  it('does not deliver Connection, the headers it names, Keep-Alive, Proxy-*, Trailer or Upgrade', async () => {
    const r = await nodeGet(proxy.url + '/r');
    expect(r.status).toBe(200);
    expect(r.body).toBe('hello /r');
    const got = names(r.rawHeaders);
    for (const hop of ['x-internal', 'x-other', 'keep-alive', 'proxy-authenticate', 'proxy-connection', 'trailer', 'upgrade']) {
      expect(got, hop).not.toContain(hop);
    }
    for (const [, v] of pairs(r.rawHeaders, 'connection')) expect(v.toLowerCase()).not.toMatch(/x-internal|x-other/);
  });

  it('delivers end-to-end headers with their case, order and duplicates', async () => {
    const r = await nodeGet(proxy.url + '/r');
    expect(pairs(r.rawHeaders, 'set-cookie')).toEqual([['Set-Cookie', 'a=1; Path=/'], ['Set-Cookie', 'b=2; Path=/']]);
    expect(pairs(r.rawHeaders, 'vary')).toEqual([['Vary', 'Accept'], ['Vary', 'Cookie']]);
    expect(pairs(r.rawHeaders, 'x-mixed-case')).toEqual([['X-Mixed-CASE', 'v']]);
    expect(pairs(r.rawHeaders, 'content-type')).toEqual([['Content-Type', 'text/plain']]);
    const order = names(r.rawHeaders).filter((n) => ['set-cookie', 'content-type', 'x-mixed-case'].includes(n));
    expect(order).toEqual(['set-cookie', 'content-type', 'set-cookie', 'x-mixed-case']);
  });

  it('delivers the same through a raw socket: two Set-Cookie lines, no hop-by-hop line', async () => {
    const r = await rawRequest(proxy.port, 'GET /raw HTTP/1.1\r\nHost: proxy.test\r\nConnection: close\r\n\r\n');
    expect(r.status).toBe(200);
    const lines = r.head.split('\r\n').slice(1);
    expect(lines.filter((l) => /^set-cookie:/i.test(l))).toEqual(['Set-Cookie: a=1; Path=/', 'Set-Cookie: b=2; Path=/']);
    expect(lines.filter((l) => /^(x-internal|x-other|keep-alive|proxy-|trailer|upgrade):/i.test(l))).toEqual([]);
  });
});
