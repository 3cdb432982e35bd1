// The probe's desync: a GET and an Expect: 100-continue POST pipelined. The POST's response is
// queued behind the GET's; a 100 Continue written then was buffered and the POST's head later put
// in front of it (`HTTP/1.1 200 OK ... \r\n\r\nHTTP/1.1 100 Continue\r\n\r\n<body>`). The proxy's
// 100 goes out only while its response is the one on the wire and not yet answered.

import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readUntil } from './helpers/raw.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

describe('the proxy\'s own 100 Continue', () => {
  let up: Upstream, proxy: TestProxy;
  let postArrived: () => void = () => {};
  beforeAll(async () => {
    up = await startUpstream(async (req, res) => {
      let body = '';
      for await (const c of req) body += c;
      if (req.method === 'GET') {
        // The GET is answered only once the POST behind it has reached the upstream, so the
        // POST's response is produced while still queued behind the GET's.
        await new Promise<void>((resolve) => (postArrived = resolve));
        res.end('first');
      } else {
        postArrived();
        res.end(`second got ${body}`);
      }
    });
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /public, upstream: app }\n');
  });
  afterAll(async () => {
    await proxy.close();
    await up.close();
  });

  it('is never written inside another response on a pipelined connection', async () => {
    const socket = net.connect(proxy.port, '127.0.0.1');
    socket.write(
      'GET /public/e HTTP/1.1\r\nHost: x\r\n\r\n' +
        'POST /public/e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello',
    );
    const text = await readUntil(socket, (t) => t.includes('second got hello'));
    const second = text.slice(text.indexOf('first') + 'first'.length);
    expect(text.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    expect(second.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    expect(second).not.toContain('100 Continue');
    expect(second.endsWith('\r\n\r\nsecond got hello')).toBe(true); // nothing between head and body
    socket.destroy();
  });

  it('is still written first on a connection with nothing ahead of it', async () => {
    const socket = net.connect(proxy.port, '127.0.0.1');
    socket.write('POST /public/e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n');
    const interim = await readUntil(socket, (t) => t.includes('\r\n\r\n'));
    expect(interim).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    socket.write('hello');
    const rest = await readUntil(socket, (t) => t.includes('second got hello'));
    expect(rest.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    socket.destroy();
  });
});
