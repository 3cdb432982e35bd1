// Over HTTP/2, an upstream may answer before it has read the request body (a 405, a 403 from a
// CSRF check, a 413). Once that whole answer is out, the proxy ends the stream with RST_STREAM
// NO_ERROR (RFC 9113 8.1), as an HTTP/1.1 server closes the connection: the client stops sending.
// Without it the proxy stopped reading the upload, the client's flow-control window filled, and
// the client waited for the route's idleTimeoutMs, or for ever with idleTimeoutMs 0.

import { once } from 'node:events';
import { constants } from 'node:http2';
import { describe, expect, it } from 'vitest';
import { startUpstream, upstreamsYaml } from './helpers/servers.js';
import { h2Stack } from './helpers/h2-stack.js';
import { h2Outcome } from './helpers/h2-client.js';

const stack = h2Stack();

describe('an h2 upload the upstream answers before reading', () => {
  it('gets the answer, then its stream is closed (NO_ERROR), with no idle timeout to wait for', async () => {
    // The upstream answers 405 at once and never reads the body.
    const up = await startUpstream((_req, res) => res.writeHead(405, { 'content-type': 'text/plain' }).end('method not allowed'));
    const { session } = await stack.start(up, upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app, idleTimeoutMs: 0 }\n');

    const req = session.request({ ':method': 'POST', ':path': '/healthz', 'content-type': 'application/octet-stream' });
    req.on('error', () => {});
    const chunk = Buffer.alloc(64 << 10, 0x62);
    let sent = 0;
    // 32 MiB offered, far past every flow-control window, in the stream's own pace.
    const write = (): void => {
      while (sent < 512 && !req.destroyed && req.write(chunk)) sent++;
      if (sent < 512 && !req.destroyed) req.once('drain', write);
    };
    write();
    expect(await h2Outcome(req)).toMatchObject({ status: 405, body: 'method not allowed', rstCode: constants.NGHTTP2_NO_ERROR });
    expect(sent).toBeLessThan(512); // stopped early: not every byte had to be taken
    expect(session.destroyed).toBe(false);
  });

  it('frees each such stream: the session closes once the client has gone (no socket left in CLOSE-WAIT)', async () => {
    // The upstream answers 404 once the first bytes of the body have come, and reads no more.
    const up = await startUpstream((req, res) => req.once('data', () => (req.pause(), res.writeHead(404, { 'content-type': 'text/plain' }).end('nope'))));
    const { session, front } = await stack.start(up, upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app, idleTimeoutMs: 0 }\n');
    // Several, one after another: a stream left with its upload unread in it kept the whole
    // session open (in most runs; each one here is another chance).
    const body = Buffer.alloc(1 << 20, 0x62);
    for (let i = 0; i < 6; i++) {
      const req = session.request({ ':method': 'POST', ':path': `/upload/${i}`, 'content-type': 'application/octet-stream' });
      req.on('error', () => {});
      let sent = 0;
      const write = (): void => {
        while (sent < body.length && !req.destroyed) {
          const ok = req.write(body.subarray(sent, (sent += 16_384)));
          if (!ok) return void req.once('drain', write);
        }
        if (!req.destroyed) req.end();
      };
      write();
      expect(await h2Outcome(req)).toMatchObject({ status: 404, rstCode: constants.NGHTTP2_NO_ERROR });
    }
    const [proxySide] = [...front.sockets];
    const closed = once(proxySide!, 'close');
    session.close(); // the client goes: GOAWAY, then its socket's FIN
    await closed; // (with a stream held open, the proxy's side of the connection never closed)
    expect(front.h2.sessions).toBe(0);
  });

  it('keeps idleTimeoutMs guarding an answer the client does not read, its upload unread too', async () => {
    const big = Buffer.alloc(100 << 10, 0x61); // past the stream's flow-control window (64 KiB), small enough to be all handed over
    const up = await startUpstream((_req, res) => res.writeHead(413, { 'content-type': 'text/plain' }).end(big));
    const { session } = await stack.start(up, upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app, idleTimeoutMs: 300 }\n');
    const req = session.request({ ':method': 'POST', ':path': '/upload', 'content-length': String(32 << 20) });
    req.on('error', () => {});
    req.write(Buffer.alloc(64 << 10, 0x62)); // some of the upload, then nothing: the answer comes first
    await once(req, 'response');
    req.pause(); // never reads the answer
    await new Promise((resolve) => req.on('close', resolve));
    expect(req.rstCode).toBe(constants.NGHTTP2_CANCEL); // the idle timer, not a hang
    expect(session.destroyed).toBe(false);
  });
});
