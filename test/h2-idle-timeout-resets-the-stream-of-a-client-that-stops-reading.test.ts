import { once } from 'node:events';
import { constants, type ClientHttp2Session } from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { startTlsFront, type TlsFront } from './helpers/h2-front.js';
import { h2Connect, h2Request } from './helpers/h2-client.js';
import { LOG } from '../src/observability/log-messages.js';
import { metric } from './helpers/misbehaving.js';

let up: Upstream | undefined;
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

describe('idleTimeoutMs over HTTP/2', () => {
  it('resets the stream (not the session) of a client that stops reading, logged idle_timeout', async () => {
    const big = Buffer.alloc(8 << 20, 0x61);
    up = await startUpstream((req, res) => (req.url === '/big' ? res.end(big) : res.end('small')));
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app, idleTimeoutMs: 300 }\n');
    front = await startTlsFront(proxy);
    session = await h2Connect(front.url, front.ca);
    const req = session.request({ ':path': '/big', 'x-request-id': 'h2-not-reading' });
    req.on('error', () => {});
    await once(req, 'response');
    req.pause(); // never read: the stream's flow-control window fills and the proxy cannot write
    await once(req, 'close');
    expect(req.rstCode).toBe(constants.NGHTTP2_CANCEL);
    expect(await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'h2-not-reading')).toMatchObject({ error: 'idle_timeout' });
    expect(await metric(proxy.adminUrl, 'strangler_responses_broken_total')).toBe(0); // the client's doing, not the upstream's
    expect((await h2Request(session, { ':path': '/small' })).body.toString()).toBe('small');
  });
});
