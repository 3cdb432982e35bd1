// RFC 9112 6.1: a server that receives Transfer-Encoding in an HTTP/1.0 request MUST treat the
// framing as faulty and close the connection. The probe's bytes: a chunked HTTP/1.0 keep-alive
// POST with a second request smuggled after its last chunk.

import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

/** Writes `bytes` and reads everything until the proxy closes the connection. */
function untilClosed(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
    socket.on('close', () => resolve(text));
    socket.on('error', (err) => (text === '' ? reject(err) : undefined));
    socket.write(Buffer.from(bytes, 'latin1'));
  });
}

describe('HTTP/1.0 with Transfer-Encoding', () => {
  let up: Upstream, proxy: TestProxy;
  beforeAll(async () => {
    up = await startUpstream((req, res) => {
      req.resume();
      req.on('end', () => res.end(`upstream saw ${req.url}`));
    });
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /public, upstream: app }\n');
  });
  afterAll(async () => {
    await proxy.close();
    await up.close();
  });

  it('is answered 400 bad_request, the connection closed, and the smuggled request never runs', async () => {
    const text = await untilClosed(
      proxy.port,
      'POST /public/e HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\nX-Request-Id: te10\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '5\r\nhello\r\n0\r\n\r\n' +
        'GET /public/smug10 HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    expect(text.startsWith('HTTP/1.1 400 Bad Request\r\n')).toBe(true);
    expect(text.toLowerCase()).toContain('\r\nconnection: close\r\n');
    const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
    expect(body).toMatchObject({ error: 'bad_request', requestId: 'te10' });
    expect(text.match(/HTTP\/1\.1 /g)).toHaveLength(1); // one response, then the close
    expect(up.received.map((r) => r.url)).toEqual([]);
    expect(await proxy.logLine((l) => l.requestId === 'te10' && l.status !== undefined)).toMatchObject({ status: 400, error: 'bad_request' });
  });

  it('is refused without Connection: keep-alive too, and whatever the coding', async () => {
    const text = await untilClosed(proxy.port, 'POST /public/e HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n');
    expect(text.startsWith('HTTP/1.1 400 Bad Request\r\n')).toBe(true);
    expect(up.received).toHaveLength(0);
  });

  it('leaves HTTP/1.0 with Content-Length alone', async () => {
    const text = await untilClosed(proxy.port, 'POST /public/ok HTTP/1.0\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello');
    expect(text.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    expect(text.endsWith('upstream saw /public/ok')).toBe(true);
  });
});
