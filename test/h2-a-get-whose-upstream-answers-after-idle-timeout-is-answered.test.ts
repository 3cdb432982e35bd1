// idleTimeoutMs bounds silence on a body, not the wait for the upstream's answer (timeoutMs does
// that): an HTTP/2 GET to an upstream that answers after longer than idleTimeoutMs, but within
// timeoutMs, gets the answer, as over HTTP/1.1. (node:http2 calls a GET's request `complete` only
// once its empty body is read: the proxy took the GET's silence for a silent upload, 408.)
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { startTlsFront, type TlsFront } from './helpers/h2-front.js';
import { h2Connect, h2Request } from './helpers/h2-client.js';
import type { ClientHttp2Session } from 'node:http2';

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

describe('an HTTP/2 GET to a slow upstream', () => {
  it('gets the answer that comes after idleTimeoutMs and within timeoutMs', async () => {
    // (The upstream is slow by its nature here: three times the idle timeout.)
    up = await startUpstream((_req, res) => void setTimeout(() => res.end('slow but fine'), 600));
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app, timeoutMs: 5000, idleTimeoutMs: 200 }\n');
    front = await startTlsFront(proxy);
    session = await h2Connect(front.url, front.ca);
    const r = await h2Request(session, { ':path': '/slow' });
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('slow but fine');
  });
});
