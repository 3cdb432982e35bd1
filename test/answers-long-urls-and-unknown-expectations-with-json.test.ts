// Two requests Node's HTTP server used to answer on its own: an Expect other than 100-continue
// (a bare 417, no JSON) and a request target longer than maxHeaderBytes (431 "headers too large").
// The contract has no 414 or 417 code: both are refused 400 bad_request with the JSON error, one
// access line, and nothing reaches the upstream. Probes written on a raw socket.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, type RawResponse } from './helpers/raw.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { requestLineOverflowed } from '../src/forward/overflow.js';

function expectBadRequest(r: RawResponse, message: RegExp): void {
  expect(r.status, r.head + '\n\n' + r.body).toBe(400);
  expect(r.headers['content-type']).toBe('application/json');
  expect(JSON.parse(r.body)).toEqual({ error: 'bad_request', message: expect.stringMatching(message), requestId: r.headers['x-request-id'] });
}

describe('long URLs and unknown expectations', () => {
  let up: Upstream, proxy: TestProxy;

  beforeAll(async () => {
    up = await startUpstream((_req, res) => res.end('ok'));
    proxy = await startProxy(upstreamsYaml({ up: up.url }) + 'routes:\n  - { prefix: /, upstream: up }\n');
  });
  afterAll(async () => {
    await proxy.close();
    await up.close();
  });

  it.each([
    ['Expect: 200-ok', 'GET /e HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n'],
    ['Expect: x with a body', 'POST /e HTTP/1.1\r\nHost: x\r\nExpect: x\r\nContent-Length: 5\r\n\r\nhello'],
  ])('%s is answered 400 bad_request as JSON (was a bare 417), with one access line', async (_what, request) => {
    const id = `expect-${_what.length}`;
    const r = await rawRequest(proxy.port, request.replace('Host: x\r\n', `Host: x\r\nX-Request-Id: ${id}\r\n`));
    expectBadRequest(r, /expectation .* cannot be met/);
    expect(r.headers['x-request-id']).toBe(id);
    const line = await proxy.logLine((l) => l.requestId === id && l.msg === 'request');
    expect(line).toMatchObject({ status: 400, error: 'bad_request' });
    expect(proxy.logs.filter((l) => l.requestId === id)).toHaveLength(1);
    expect(up.received.length).toBe(0);
  });

  it('a 20 KB URL is answered 400 bad_request "request target is too long" (was 431)', async () => {
    const r = await rawRequest(proxy.port, `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expectBadRequest(r, /request target is too long/);
    expect(up.received.length).toBe(0);
  });

  it('20 KB of header fields after a short URL are still 431 headers_too_large', async () => {
    const r = await rawRequest(proxy.port, `GET /short HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(r.status, r.head).toBe(431);
    expect(JSON.parse(r.body)).toMatchObject({ error: 'headers_too_large' });
    expect(up.received.length).toBe(0);
  });
});

describe('requestLineOverflowed: which part of the head overflowed', () => {
  const MAX = 16_384;
  const b = (s: string) => Buffer.from(s, 'latin1');

  it.each([
    ['a request line longer than the limit', `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, true],
    ['a request line that does not end in the packet', `GET /${'a'.repeat(20_000)}`, true],
    ['the end of a request line begun in an earlier packet', `${'a'.repeat(12_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, true],
    ['a short request line, then a long header', `GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, false],
    ['a 10 KB request line plus 10 KB of headers', `GET /${'a'.repeat(10_000)} HTTP/1.1\r\nX-Big: ${'a'.repeat(10_000)}\r\n\r\n`, false],
    ['the middle of one long line', 'a'.repeat(20_000), false],
    ['the end of a long header line', `${'a'.repeat(12_000)}\r\n\r\n`, false],
  ])('%s', (_what, packet, expected) => {
    expect(requestLineOverflowed(b(packet), MAX)).toBe(expected);
  });

  it('no packet: false', () => {
    expect(requestLineOverflowed(undefined, MAX)).toBe(false);
  });
});
