// Requests that Node's HTTP parser (llhttp, strict mode) or RFC 9112 refuse, written on a raw
// socket: each one is answered by the proxy itself with the contract's JSON error, and nothing of it
// reaches the upstream.

import net from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rawRequest, type RawResponse } from './helpers/raw.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

/** `route`: the route of a request refused in its body (a head refused matched none). */
function expectError(r: RawResponse, status: number, error: string, route?: string): Record<string, unknown> {
  expect(r.status, r.head + '\n\n' + r.body).toBe(status);
  expect(r.headers['content-type']).toBe('application/json');
  const body = JSON.parse(r.body) as Record<string, unknown>;
  expect(body).toEqual({ error, message: expect.any(String), requestId: expect.any(String), ...(route === undefined ? {} : { route }) });
  expect(body.requestId).toBe(r.headers['x-request-id']);
  return body;
}

/** Everything the server sends until it closes the connection. */
function readAll(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', (err) => (chunks.length > 0 ? undefined : reject(err)));
    socket.write(Buffer.from(request, 'latin1'));
  });
}

/** Splits back-to-back responses that all carry a Content-Length. */
function splitResponses(text: string): { status: number; head: string; body: string }[] {
  const out: { status: number; head: string; body: string }[] = [];
  while (text.length > 0) {
    const end = text.indexOf('\r\n\r\n');
    if (end === -1) throw new Error(`incomplete response: ${JSON.stringify(text)}`);
    const head = text.slice(0, end);
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
    if (Number.isNaN(length)) throw new Error(`no content-length in ${JSON.stringify(head)}`);
    out.push({ status: Number(head.split(' ')[1]), head, body: text.slice(end + 4, end + 4 + length) });
    text = text.slice(end + 4 + length);
  }
  return out;
}

const H = 'Host: proxy.test\r\n';

describe('malformed requests', () => {
  let up: Upstream, proxy: TestProxy;
  // What the upstream received, and which of those requests ended complete.
  const completed: string[] = [];

  beforeAll(async () => {
    up = await startUpstream((req, res) => {
      req.on('end', () => {
        completed.push(req.url!);
        res.end('ok');
      });
      req.resume();
    });
    proxy = await startProxy(upstreamsYaml({ up: up.url }) + 'routes:\n  - { prefix: /, upstream: up }\n');
    // Warm the proxy's connection pool, so that a forwarded request would be written at once.
    const warm = await rawRequest(proxy.port, `GET /warm HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    expect(warm.status).toBe(200);
    expect(completed).toEqual(['/warm']);
  });
  beforeEach(() => {
    up.received.length = 0;
    completed.length = 0;
  });
  afterAll(async () => {
    await proxy.close();
    await up.close();
  });

  describe('refused by the parser before the request exists', () => {
    it.each([
      ['Content-Length with Transfer-Encoding: chunked',
        `POST /m HTTP/1.1\r\n${H}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`],
      ['Transfer-Encoding: chunked with Content-Length (other order)',
        `POST /m HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n`],
      ['two different Content-Length values', `POST /m HTTP/1.1\r\n${H}Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd`],
      ['two equal Content-Length fields', `POST /m HTTP/1.1\r\n${H}Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc`],
      ['a Content-Length list', `POST /m HTTP/1.1\r\n${H}Content-Length: 3, 3\r\n\r\nabc`],
      ['a signed Content-Length', `POST /m HTTP/1.1\r\n${H}Content-Length: +3\r\n\r\nabc`],
      ['Transfer-Encoding: chunked twice', `POST /m HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
      ['bare LF everywhere', `GET /m HTTP/1.1\nHost: proxy.test\n\n`],
      ['bare LF after the request line', `GET /m HTTP/1.1\n${H}\r\n`],
      ['bare LF after a header field', `GET /m HTTP/1.1\r\nHost: proxy.test\nX-A: b\r\n\r\n`],
      ['bare LF ending the head', `GET /m HTTP/1.1\r\n${H}\n`],
      ['bare CR inside the head', `GET /m HTTP/1.1\r\nHost: proxy.test\rX-A: b\r\n\r\n`],
      ['a header name with a space', `GET /m HTTP/1.1\r\n${H}Bad Header: x\r\n\r\n`],
      ['whitespace before the colon', `GET /m HTTP/1.1\r\n${H}Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n`],
      ['an empty header name', `GET /m HTTP/1.1\r\n${H}: x\r\n\r\n`],
      ['obsolete line folding', `GET /m HTTP/1.1\r\n${H}X-A: b\r\n c\r\n\r\n`],
      ['a control byte in a header value', `GET /m HTTP/1.1\r\n${H}X-A: b\u0001c\r\n\r\n`],
      ['a lower-case method', `get /m HTTP/1.1\r\n${H}\r\n`],
      ['an unknown HTTP version', `GET /m HTTP/1.2\r\n${H}\r\n`],
      ['a space inside the target', `GET /a b HTTP/1.1\r\n${H}\r\n`],
    ])('%s: 400 bad_request', async (_what, request) => {
      const r = await rawRequest(proxy.port, request);
      expectError(r, 400, 'bad_request');
      expect(r.headers.connection).toBe('close');
      expect(up.received.length).toBe(0);
    });
  });

  describe('refused after the head was accepted (body framing)', () => {
    it.each([
      ['an invalid chunk size', '/f1', 'Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n'],
      ['a negative chunk size', '/f2', 'Transfer-Encoding: chunked\r\n\r\n-3\r\nabc\r\n0\r\n\r\n'],
      ['a chunk size overflowing 64 bits', '/f3', 'Transfer-Encoding: chunked\r\n\r\n10000000000000000\r\nabc\r\n0\r\n\r\n'],
      ['a bare LF after the chunk size', '/f4', 'Transfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n'],
      ['a bare LF ending the last chunk', '/f6', 'Transfer-Encoding: chunked\r\n\r\n0\n\n'],
      ['a Transfer-Encoding that does not end in chunked', '/f7', 'Transfer-Encoding: gzip\r\n\r\nabc'],
      ['an unknown Transfer-Encoding', '/f8', 'Transfer-Encoding: xchunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'],
    ])('%s: 400 bad_request, nothing forwarded', async (_what, path, rest) => {
      const r = await rawRequest(proxy.port, `POST ${path} HTTP/1.1\r\n${H}${rest}`);
      expectError(r, 400, 'bad_request', '/');
      expect(r.headers.connection).toBe('close');
      // The forwarding that had started ends (the proxy logs it) without a byte to the upstream.
      await proxy.logLine((l) => l.msg === LOG.request && l.path === path);
      expect(up.received.length).toBe(0);
    });

    it.each([
      ['a bad chunk size after a good chunk', '/late1', '3\r\nabc\r\nzz\r\nabc\r\n0\r\n\r\n'],
      ['a chunk longer than its size', '/late2', '3\r\nabcd\r\n0\r\n\r\n'],
    ])('%s: 400, and the upstream never gets a complete request', async (_what, path, chunks) => {
      const r = await rawRequest(proxy.port, `POST ${path} HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n${chunks}`);
      expectError(r, 400, 'bad_request', '/');
      // Streaming: the good bytes may already be on their way upstream; that request is then aborted.
      const line = await proxy.logLine((l) => l.msg === LOG.request && l.path === path);
      // One access line, the exchange's, carrying the answer the client got and its request id.
      expect(line).toMatchObject({ status: 400, error: 'bad_request', requestId: r.headers['x-request-id'] });
      expect(proxy.logs.filter((l) => l.msg === LOG.request && l.requestId === r.headers['x-request-id'])).toHaveLength(1);
      for (const req of up.received) {
        if (!req.destroyed) await new Promise((resolve) => req.once('close', resolve));
        expect(req.complete).toBe(false);
      }
      expect(completed).toEqual([]);
    });
  });

  describe('limits', () => {
    it('answers 413 payload_too_large for oversized chunk extensions, nothing forwarded', async () => {
      const r = await rawRequest(proxy.port,
        `POST /ext HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3;x=${'a'.repeat(20_000)}\r\nabc\r\n0\r\n\r\n`);
      expectError(r, 413, 'payload_too_large', '/');
      // Its one access line says what was wrong, not that the client left.
      expect(await proxy.logLine((l) => l.msg === LOG.request && l.path === '/ext')).toMatchObject({ status: 413, error: 'payload_too_large', detail: 'the request body has oversized chunk extensions' });
      expect(up.received.length).toBe(0);
    });

    it('answers 431 headers_too_large above maxHeaderBytes (16384 by default)', async () => {
      const r = await rawRequest(proxy.port, `GET /l HTTP/1.1\r\n${H}X-Big: ${'a'.repeat(17_000)}\r\n\r\n`);
      const body = expectError(r, 431, 'headers_too_large');
      expect(body.message).toMatch(/16384/);
      expect(up.received.length).toBe(0);
    });

    it('answers 431 headers_too_large for many small fields adding up past maxHeaderBytes', async () => {
      const fields = Array.from({ length: 90 }, (_, i) => `X-F${i}: ${'v'.repeat(200)}\r\n`).join('');
      const r = await rawRequest(proxy.port, `GET /l HTTP/1.1\r\n${H}${fields}\r\n`);
      expectError(r, 431, 'headers_too_large');
      expect(up.received.length).toBe(0);
    });

    it('answers 431 headers_too_large above maxHeadersCount fields (100 by default)', async () => {
      const fields = (n: number) => Array.from({ length: n }, (_, i) => `X-F${i}: v\r\n`).join('');
      // Host, Connection and 98 fields: exactly 100, accepted.
      const accepted = await rawRequest(proxy.port, `GET /count HTTP/1.1\r\n${H}${fields(98)}Connection: close\r\n\r\n`);
      expect(accepted.status).toBe(200);
      expect(up.received.length).toBe(1);
      up.received.length = 0;
      // Host and 100 fields: 101.
      const r = await rawRequest(proxy.port, `GET /count HTTP/1.1\r\n${H}${fields(100)}\r\n`);
      const body = expectError(r, 431, 'headers_too_large');
      expect(body.message).toMatch(/101 header fields; at most 100/);
      expect(up.received.length).toBe(0);
    });
  });

  describe('refused by RFC 9112 although the parser accepts them', () => {
    it.each([
      ['HTTP/1.1 without Host', 'GET /h HTTP/1.1\r\n\r\n', /Host/],
      ['two Host fields', `GET /h HTTP/1.1\r\n${H}Host: other.test\r\n\r\n`, /more than one Host/],
      ['two Host fields on HTTP/1.0', `GET /h HTTP/1.0\r\n${H}Host: other.test\r\n\r\n`, /more than one Host/],
      ['an invalid Host value', 'GET /h HTTP/1.1\r\nHost: a b/c\r\n\r\n', /not a valid host/],
      ['a Host with a path', 'GET /h HTTP/1.1\r\nHost: proxy.test/evil\r\n\r\n', /not a valid host/],
      ['an HTTP/0.9 request line', 'GET /h\r\n\r\n', /HTTP\/0\.9/],
      ['an HTTP/0.9 request line with headers', `GET /h\r\n${H}\r\n`, /HTTP\/0\.9/],
      ['an HTTP/2.0 request line', `GET /h HTTP/2.0\r\n${H}\r\n`, /HTTP\/2\.0/],
      ['a second Host on a 100-continue request',
        `POST /h HTTP/1.1\r\n${H}Host: other.test\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n`, /more than one Host/],
    ])('%s: 400 bad_request', async (_what, request, message) => {
      const r = await rawRequest(proxy.port, request);
      const body = expectError(r, 400, 'bad_request');
      expect(body.message).toMatch(message);
      expect(up.received.length).toBe(0);
    });

    it('keeps the client X-Request-Id on such an answer when it is sane', async () => {
      const r = await rawRequest(proxy.port, `GET /h HTTP/1.1\r\n${H}Host: other.test\r\nX-Request-Id: trace-7\r\n\r\n`);
      expect(expectError(r, 400, 'bad_request').requestId).toBe('trace-7');
    });

    it('accepts HTTP/1.0 without Host, an IPv6 literal Host and an empty Host', async () => {
      for (const request of [
        'GET /ok HTTP/1.0\r\n\r\n',
        'GET /ok HTTP/1.1\r\nHost: [::1]:8080\r\nConnection: close\r\n\r\n',
        'GET /ok HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n',
      ]) {
        const r = await rawRequest(proxy.port, request);
        expect(r.status, request).toBe(200);
      }
      expect(up.received.map((q) => q.url)).toEqual(['/ok', '/ok', '/ok']);
    });
  });

  describe('CONNECT and upgrades', () => {
    it('answers CONNECT host:443 with 400 bad_request', async () => {
      const r = await rawRequest(proxy.port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
      expectError(r, 400, 'bad_request');
      expect(up.received.length).toBe(0);
    });

    it('answers an upgrade to something other than WebSocket with 400 bad_request', async () => {
      // (`Upgrade: h2c` alone is ignored instead: contract v2, serves-an-h2c-upgrade-request-over-http-1-1)
      const r = await rawRequest(proxy.port, `GET /u HTTP/1.1\r\n${H}Connection: Upgrade\r\nUpgrade: TLS/1.0\r\n\r\n`);
      expectError(r, 400, 'bad_request');
      expect(up.received.length).toBe(0);
    });

    it('answers a WebSocket upgrade with two Host fields with 400 bad_request', async () => {
      const r = await rawRequest(proxy.port,
        `GET /u HTTP/1.1\r\n${H}Host: other.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
      expectError(r, 400, 'bad_request');
      expect(up.received.length).toBe(0);
    });
  });

  describe('pipelining', () => {
    it('answers the good request first, then the malformed one, then closes', async () => {
      const text = await readAll(proxy.port,
        `GET /first HTTP/1.1\r\n${H}\r\n` +
        `GET /second HTTP/1.1\r\n${H}\r\n` +
        `GET /third HTTP/1.1\r\n${H}Bad Header: x\r\n\r\n`);
      const responses = splitResponses(text);
      expect(responses.map((r) => r.status)).toEqual([200, 200, 400]);
      expect(responses.map((r) => r.body.slice(0, 2))).toEqual(['ok', 'ok', '{"']);
      expect(JSON.parse(responses[2]!.body)).toMatchObject({ error: 'bad_request' });
      expect(up.received.map((q) => q.url)).toEqual(['/first', '/second']);
    });
  });
});
