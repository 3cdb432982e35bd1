// server.maxHeaderBytes holds on HTTP/2 as on HTTP/1.1: a header list over it (counted as
// SETTINGS_MAX_HEADER_LIST_SIZE counts: name + value + 32 per field, pseudo-header fields
// included) is answered with the JSON 431 and its access line, and never reaches the upstream.
// node:http2 itself applies the announced SETTINGS_MAX_HEADER_LIST_SIZE only once the client has
// acknowledged it (then by RST_STREAM ENHANCE_YOUR_CALM); a client's first requests travel before
// that: each request here is sent on a new session before its SETTINGS exchange.

import type http from 'node:http';
import type { OutgoingHttpHeaders } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from './helpers/raw.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { startTlsFront, type TlsFront } from './helpers/h2-front.js';
import { h2FirstFlight, type H2Answer } from './helpers/h2-client.js';
import { LOG } from '../src/observability/log-messages.js';

const MAX = 16_384; // server.maxHeaderBytes's default

describe('maxHeaderBytes over HTTP/2', () => {
  let up: Upstream, proxy: TestProxy, front: TlsFront;
  const arrivals: string[] = [];
  beforeAll(async () => {
    up = await startUpstream((req: http.IncomingMessage, res: http.ServerResponse) => {
      arrivals.push(String(req.headers['x-request-id']));
      res.end('up');
    });
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    front = await startTlsFront(proxy);
  });
  afterAll(async () => {
    await front.close();
    await proxy.close();
    await up.close();
  });

  const firstFlight = (headers: OutgoingHttpHeaders): Promise<H2Answer> => h2FirstFlight(front.url, front.ca, headers);

  /** The headers of a GET whose header list is exactly `size` bytes (name + value + 32 each). */
  function headersOfSize(size: number, id: string): Record<string, string> {
    const h: Record<string, string> = { ':method': 'GET', ':path': '/p', ':scheme': 'https', ':authority': `localhost:${front.port}`, 'x-request-id': id };
    const used = Object.entries(h).reduce((n, [k, v]) => n + k.length + v.length + 32, 0);
    h['x-fill'] = 'a'.repeat(size - used - 'x-fill'.length - 32);
    return h;
  }

  it('refuses a 60 KB header with the JSON 431 and its access line, as HTTP/1.1 does', async () => {
    const h1 = await rawRequest(proxy.port, `GET /p HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(60_000)}\r\nConnection: close\r\n\r\n`);
    expect(h1.status).toBe(431);
    expect(JSON.parse(h1.body)).toMatchObject({ error: 'headers_too_large' });
    const a = await firstFlight({ ':path': '/p', 'x-request-id': 'h2-big', 'x-big': 'a'.repeat(60_000) });
    expect(a.status).toBe(431);
    expect(JSON.parse(a.body.toString())).toMatchObject({ error: 'headers_too_large', requestId: 'h2-big' });
    expect(await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'h2-big')).toMatchObject({ status: 431, error: 'headers_too_large' });
    expect(arrivals).not.toContain('h2-big');
  });

  it('takes a header list of exactly maxHeaderBytes and refuses one byte more', async () => {
    const at = await firstFlight(headersOfSize(MAX, 'h2-at'));
    expect(at.status).toBe(200);
    expect(at.body.toString()).toBe('up');
    const over = await firstFlight(headersOfSize(MAX + 1, 'h2-over'));
    expect(over.status).toBe(431);
    expect(JSON.parse(over.body.toString())).toMatchObject({ error: 'headers_too_large', message: `the request headers exceed ${MAX} bytes` });
    expect(arrivals).toContain('h2-at');
    expect(arrivals).not.toContain('h2-over');
  });
});
