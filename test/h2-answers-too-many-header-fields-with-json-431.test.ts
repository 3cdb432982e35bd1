// server.maxHeadersCount over HTTP/2 as over HTTP/1.1: a request with more header fields gets the
// JSON 431 and its access line (not a reset stream), up to node:http2's own bound of
// 4 x maxHeadersCount + 16 fields (pseudo-header fields included); past that the stream is reset
// (RST_STREAM ENHANCE_YOUR_CALM) by the protocol. Each request is sent on a new session ahead of
// its SETTINGS acknowledgement, so that the header list's size limit plays no part.

import type http from 'node:http';
import type { OutgoingHttpHeaders } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { startTlsFront, type TlsFront } from './helpers/h2-front.js';
import { h2FirstFlight, type H2Answer } from './helpers/h2-client.js';
import { LOG } from '../src/observability/log-messages.js';

const COUNT = 10; // server.maxHeadersCount: node:http2 takes 4 x 10 + 16 = 56 fields, 4 of them pseudo

describe('maxHeadersCount over HTTP/2', () => {
  let up: Upstream, proxy: TestProxy, front: TlsFront;
  const arrivals: string[] = [];
  beforeAll(async () => {
    up = await startUpstream((req: http.IncomingMessage, res: http.ServerResponse) => {
      arrivals.push(String(req.headers['x-request-id']));
      res.end('up');
    });
    proxy = await startProxy(`server:\n  maxHeadersCount: ${COUNT}\n` + upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    front = await startTlsFront(proxy);
  });
  afterAll(async () => {
    await front.close();
    await proxy.close();
    await up.close();
  });

  const firstFlight = (headers: OutgoingHttpHeaders): Promise<H2Answer> => h2FirstFlight(front.url, front.ca, headers);

  /** A GET with `n` header fields besides its 4 pseudo-header fields (x-request-id among them). */
  function withFields(n: number, id: string): OutgoingHttpHeaders {
    const h: OutgoingHttpHeaders = { ':path': '/p', 'x-request-id': id };
    for (let i = 1; i < n; i++) h[`x-h${i}`] = 'v';
    return h;
  }

  it('forwards maxHeadersCount fields', async () => {
    const a = await firstFlight(withFields(COUNT, 'h2-count-at'));
    expect(a.status).toBe(200);
    expect(arrivals).toContain('h2-count-at');
  });

  for (const n of [COUNT + 1, COUNT + 17, 4 * COUNT + 16 - 4]) {
    it(`answers ${n} fields with the JSON 431 and its access line`, async () => {
      const id = `h2-count-${n}`;
      const a = await firstFlight(withFields(n, id));
      expect(a.status).toBe(431);
      expect(JSON.parse(a.body.toString())).toMatchObject({ error: 'headers_too_large', requestId: id });
      expect(await proxy.logLine((l) => l.msg === LOG.request && l.requestId === id)).toMatchObject({ status: 431, error: 'headers_too_large' });
      expect(arrivals).not.toContain(id);
    });
  }

  it('leaves a request past node:http2 own bound to the protocol (ENHANCE_YOUR_CALM)', async () => {
    await expect(firstFlight(withFields(4 * COUNT + 16 - 3, 'h2-count-past'))).rejects.toMatchObject({ code: 'ERR_HTTP2_STREAM_ERROR', message: expect.stringContaining('ENHANCE_YOUR_CALM') });
    expect(arrivals).not.toContain('h2-count-past');
  });
});
