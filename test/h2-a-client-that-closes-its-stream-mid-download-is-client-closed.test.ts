// An HTTP/2 client stops reading a download and then closes its stream: RST_STREAM with NO_ERROR,
// what a node:http2 client's `req.close()` sends, its session left open. node:http2 says
// 'aborted' on the proxy's stream and then waits for writes the client will never take, so the
// response never closed: no access line, and the upstream request held its connection until the
// client's whole session ended (or, with idleTimeoutMs, it was cut as the upstream's idle_timeout).
import http2 from 'node:http2';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { endlessDownload } from './helpers/endless-download.js';
import { startTlsFront, type TlsFront } from './helpers/h2-front.js';
import { LOG } from '../src/observability/log-messages.js';

let up: Upstream | undefined;
let proxy: TestProxy | undefined;
let front: TlsFront | undefined;
let session: http2.ClientHttp2Session | undefined;
afterEach(async () => {
  session?.destroy();
  await front?.close();
  await proxy?.close();
  await up?.close();
  session = front = proxy = up = undefined;
});

describe('HTTP/2: a client that closes its stream (NO_ERROR) while its download is held up', () => {
  it('ends the exchange at once as client_closed and aborts the upstream request, the session still open', async () => {
    const download = await endlessDownload();
    up = download.up;
    const { heldUp, aborted } = download;
    // idleTimeoutMs 0 (a stream route): nothing else would ever end it.
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app, idleTimeoutMs: 0 }\n');
    front = await startTlsFront(proxy);

    session = http2.connect(front.url, { ca: front.ca });
    session.on('error', () => {});
    const req = session.request({ ':path': '/big', 'x-request-id': 'h2-closed' });
    req.on('error', () => {});
    const [head] = (await once(req, 'response')) as [http2.IncomingHttpHeaders];
    expect(head[':status']).toBe(200);
    req.pause(); // reads nothing more: the stream's window fills, then the proxy's writes wait
    await heldUp;

    req.close(); // RST_STREAM NO_ERROR; the session stays open
    expect(req.rstCode).toBe(http2.constants.NGHTTP2_NO_ERROR);

    expect(await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'h2-closed')).toMatchObject({ status: 200, error: 'client_closed' });
    await aborted;
    expect(session.closed || session.destroyed).toBe(false);
    expect(proxy.logs.filter((l) => l.msg === LOG.request && l.requestId === 'h2-closed')).toHaveLength(1);
  });
});
