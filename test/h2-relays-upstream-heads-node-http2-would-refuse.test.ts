// An upstream head HTTP/1.1 allows but node:http2 refuses to write (a second Content-Type or
// Date, an HTTP2-Settings field): the HTTP/2 client gets the response an HTTP/1.1 client gets,
// not a reset stream. And a head Node still refuses leaves the response clean for the JSON 502.

import { once } from 'node:events';
import http2, { type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { ServerResponse } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, rawUpstream } from './helpers/raw.js';
import { startProxy, upstreamsYaml, type TestProxy } from './helpers/servers.js';
import { startTlsFront, type TlsFront } from './helpers/h2-front.js';
import { h2Connect, h2Request } from './helpers/h2-client.js';
import { sendError, writeHeadOrUndo } from '../src/forward/respond.js';
import { LOG } from '../src/observability/log-messages.js';

const DUPLICATES = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Type: text/html\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nDate: Tue, 02 Jan 2024 00:00:00 GMT\r\nContent-Length: 5\r\n\r\nhello';
const SETTINGS = 'HTTP/1.1 200 OK\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\nContent-Length: 5\r\n\r\nhello';

describe('upstream heads node:http2 would refuse', () => {
  let up: net.Server, proxy: TestProxy, front: TlsFront;
  beforeAll(async () => {
    up = await rawUpstream({ '/dup': DUPLICATES, '/settings': SETTINGS, '/r/dup': DUPLICATES, '/r/settings': SETTINGS });
    const url = `http://127.0.0.1:${(up.address() as AddressInfo).port}`;
    proxy = await startProxy(
      upstreamsYaml({ app: url }) +
        'routes:\n  - { prefix: /r, upstream: app, retry: { attempts: 2, backoffMs: 0, maxBackoffMs: 0, on: [reset, 503] } }\n' +
        '  - { prefix: /, upstream: app }\n',
    );
    front = await startTlsFront(proxy);
  });
  afterAll(async () => {
    await front.close();
    await proxy.close();
    await new Promise<void>((resolve) => up.close(() => resolve()));
  });

  for (const path of ['/dup', '/settings', '/r/dup', '/r/settings']) {
    it(`relays ${path} over HTTP/2 as HTTP/1.1 gets it, with its access line`, async () => {
      const h1 = await rawRequest(proxy.port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(h1.status).toBe(200);
      expect(h1.body).toBe('hello');
      const s = await h2Connect(front.url, front.ca);
      try {
        const id = `h2-head${path.replace(/\//g, '-')}`;
        const a = await h2Request(s, { ':path': path, 'x-request-id': id });
        expect(a.status).toBe(200);
        expect(a.body.toString()).toBe('hello');
        expect(a.headers['http2-settings']).toBeUndefined();
        if (path.endsWith('dup')) {
          expect(a.headers['content-type']).toBe('text/plain');
          expect(a.headers.date).toBe('Mon, 01 Jan 2024 00:00:00 GMT');
        }
        const line = await proxy.logLine((l) => l.msg === LOG.request && l.requestId === id);
        expect(line).toMatchObject({ status: 200, bytes: 5 });
        expect(line.error ?? null).toBeNull();
      } finally {
        s.destroy();
      }
    });
  }
});

describe('writeHeadOrUndo on an HTTP/2 response', () => {
  it('returns the error of a head Node refuses and leaves nothing of it behind for the JSON error', async () => {
    const results: (Error | null)[] = [];
    const server = http2.createServer((_req: Http2ServerRequest, res: Http2ServerResponse) => {
      const r = res as unknown as ServerResponse;
      try {
        results.push(writeHeadOrUndo(r, 200, null, ['x-left', 'behind', 'date', 'd1', 'date', 'd2']));
        sendError(r, 'upstream_unavailable', 'refused head', 'rid-1', undefined, false);
      } catch {
        res.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR); // fails the request below
      }
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const s = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      const a = await h2Request(s, { ':path': '/' });
      expect(results[0]).toMatchObject({ code: 'ERR_HTTP2_HEADER_SINGLE_VALUE' });
      expect(a.status).toBe(502);
      expect(a.headers['x-left']).toBeUndefined();
      expect(a.headers.date).not.toBe('d1');
      expect(JSON.parse(a.body.toString())).toMatchObject({ error: 'upstream_unavailable', requestId: 'rid-1' });
    } finally {
      s.destroy();
      server.close();
    }
  });
});
