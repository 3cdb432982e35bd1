// Recording works the same on HTTP/2: the request's path, its headers without pseudo-headers
// (`:authority` recorded as host), a streamed request body teed on its way upstream (undici
// still reads all of it), and the primary's answer.

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientHttp2Session } from 'node:http2';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { startTlsFront, type TlsFront } from './helpers/h2-front.js';
import { h2Connect, h2Request } from './helpers/h2-client.js';
import { flushed, recordedLines } from './helpers/recorded-lines.js';

let up: Upstream | undefined, proxy: TestProxy | undefined, front: TlsFront | undefined, session: ClientHttp2Session | undefined;
afterEach(async () => {
  session?.destroy();
  await front?.close();
  await proxy?.close();
  await up?.close();
  session = front = proxy = up = undefined;
});

describe('recording an HTTP/2 request', () => {
  it('writes its line like an HTTP/1.1 one, with the streamed body teed and still sent whole', async () => {
    up = await startUpstream((req, res) => {
      let n = 0;
      req.on('data', (c: Buffer) => (n += c.length));
      req.on('end', () => {
        res.setHeader('content-type', 'text/plain');
        res.end(`got ${n}`);
      });
    });
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - prefix: /orders\n    upstream: app\n    record: { file: ./orders.jsonl, methods: [GET, POST], maxBodyBytes: 1000 }\n');
    const file = path.join(path.dirname(proxy.file), 'orders.jsonl');
    front = await startTlsFront(proxy);
    session = await h2Connect(front.url, front.ca);

    const got = await h2Request(session, { ':method': 'GET', ':path': '/orders/7?y=2', 'x-request-id': 'h2-get', authorization: 'Bearer t' });
    expect(got.status).toBe(200);
    const upload = randomBytes(200_000);
    const posted = await h2Request(session, { ':method': 'POST', ':path': '/orders', 'x-request-id': 'h2-post' }, upload);
    expect(posted.body.toString()).toBe('got 200000');
    await flushed(proxy, file);

    const [get, post] = await recordedLines(file);
    expect(get).toMatchObject({
      v: 1,
      id: 'h2-get',
      route: '/orders',
      request: { method: 'GET', path: '/orders/7?y=2', upstreamPath: '/orders/7?y=2', body: null },
      response: { status: 200, upstream: 'app', body: { encoding: 'utf8', data: 'got 0', bytes: 5, truncated: false } },
    });
    expect(get!.request.headers).toEqual({ host: `localhost:${front.port}`, 'x-request-id': 'h2-get', authorization: '<redacted>' });
    expect(post!.request.body).toEqual({ encoding: 'base64', data: upload.subarray(0, 1000).toString('base64'), bytes: 200_000, truncated: true });
    expect(post!.response.body.data).toBe('got 200000');
  });
});
