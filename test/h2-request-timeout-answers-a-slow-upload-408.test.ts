// server.requestTimeoutMs bounds a whole request, body included: node:http applies it to HTTP/1.1,
// node:http2 has no such bound, so the proxy applies it to each stream. A slow upload over h2 is
// answered 408 request_timeout as over HTTP/1.1, its stream closed, its upstream request aborted.

import { once } from 'node:events';
import type { ClientHttp2Session } from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, upstreamsYaml, type TestProxy } from './helpers/servers.js';
import { startTlsFront, type TlsFront } from './helpers/h2-front.js';
import { h2Connect, h2Request } from './helpers/h2-client.js';
import { hang, hanging, scripted, type Misbehaving } from './helpers/misbehaving.js';
import { LOG } from '../src/observability/log-messages.js';

let up: Misbehaving | undefined;
let proxy: TestProxy | undefined;
let front: TlsFront | undefined;
let session: ClientHttp2Session | undefined;
afterEach(async () => {
  session?.destroy();
  await front?.close();
  await proxy?.close();
  await up?.close();
  session = front = proxy = up = undefined;
});

describe('requestTimeoutMs over HTTP/2', () => {
  it('answers an upload still arriving after it 408, closes its stream and aborts the upstream request', async () => {
    // The upstream reads the body as it comes (the proxy streams it through) and never answers.
    up = await hanging();
    proxy = await startProxy('server: { requestTimeoutMs: 400 }\n' + upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    front = await startTlsFront(proxy);
    session = await h2Connect(front.url, front.ca);

    const req = session.request({ ':method': 'POST', ':path': '/upload', 'content-length': '10000', 'x-request-id': 'h2-slow-upload' });
    req.on('error', () => {});
    req.write(Buffer.alloc(1000, 0x61)); // a tenth, then nothing: the default idleTimeoutMs (60 s) never comes into it
    let status = 0;
    let body = '';
    req.on('response', (h) => (status = Number(h[':status'])));
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    await new Promise((resolve) => req.on('close', resolve));
    expect(status).toBe(408);
    expect(JSON.parse(body)).toMatchObject({ error: 'request_timeout', requestId: 'h2-slow-upload', route: '/' });
    expect(await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'h2-slow-upload')).toMatchObject({ status: 408, error: 'request_timeout' });
    await up.arrivals[0]!.socketClosed; // the upstream request was aborted
    expect(session.destroyed).toBe(false);
  });

  it('leaves a request without a body alone however long its answer takes (its request all arrived)', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    up = await scripted((a) => (a.method === 'GET' ? { kind: 'custom', handle: (_req, res) => void released.then(() => res.end('slow answer')) } : hang));
    proxy = await startProxy('server: { requestTimeoutMs: 400 }\n' + upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    front = await startTlsFront(proxy);
    session = await h2Connect(front.url, front.ca);
    const get = h2Request(session, { ':path': '/slow' });
    await up.arrival(1);
    // A slow upload started after it is answered 408: requestTimeoutMs has passed for the GET too.
    const post = session.request({ ':method': 'POST', ':path': '/upload', 'content-length': '10' });
    post.on('error', () => {});
    post.write('12345');
    const [head] = (await once(post, 'response')) as [Record<string, string>];
    expect(Number(head[':status'])).toBe(408);
    release();
    const answer = await get;
    expect(answer.status).toBe(200);
    expect(answer.body.toString()).toBe('slow answer');
  });
});
