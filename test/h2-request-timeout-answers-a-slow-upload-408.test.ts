// server.requestTimeoutMs bounds a whole request, body included: node:http applies it to HTTP/1.1,
// node:http2 has no such bound, so the proxy applies it to each stream. A slow upload over h2 is
// answered 408 request_timeout as over HTTP/1.1, its stream closed, its upstream request aborted.

import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { upstreamsYaml } from './helpers/servers.js';
import { h2Stack } from './helpers/h2-stack.js';
import { h2Outcome, h2Request } from './helpers/h2-client.js';
import { hang, hanging, scripted } from './helpers/misbehaving.js';
import { LOG } from '../src/observability/log-messages.js';

const stack = h2Stack();

describe('requestTimeoutMs over HTTP/2', () => {
  it('answers an upload still arriving after it 408, closes its stream and aborts the upstream request', async () => {
    // The upstream reads the body as it comes (the proxy streams it through) and never answers.
    const up = await hanging();
    const { proxy, session } = await stack.start(up, 'server: { requestTimeoutMs: 400 }\n' + upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');

    const req = session.request({ ':method': 'POST', ':path': '/upload', 'content-length': '10000', 'x-request-id': 'h2-slow-upload' });
    req.on('error', () => {});
    req.write(Buffer.alloc(1000, 0x61)); // a tenth, then nothing: the default idleTimeoutMs (60 s) never comes into it
    const { status, body } = await h2Outcome(req);
    expect(status).toBe(408);
    expect(JSON.parse(body)).toMatchObject({ error: 'request_timeout', requestId: 'h2-slow-upload', route: '/' });
    expect(await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'h2-slow-upload')).toMatchObject({ status: 408, error: 'request_timeout' });
    await up.arrivals[0]!.socketClosed; // the upstream request was aborted
    expect(session.destroyed).toBe(false);
  });

  it('leaves a request without a body alone however long its answer takes (its request all arrived)', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const up = await scripted((a) => (a.method === 'GET' ? { kind: 'custom', handle: (_req, res) => void released.then(() => res.end('slow answer')) } : hang));
    const { session } = await stack.start(up, 'server: { requestTimeoutMs: 400 }\n' + upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
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
