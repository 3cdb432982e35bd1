// `Upgrade: h2c` on a plain request (what `curl --http2 http://...` sends) is ignored: the request
// is served over HTTP/1.1 on the same connection, and neither Upgrade nor HTTP2-Settings is forwarded.

import net from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readUntil } from './helpers/raw.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

const H2C = 'Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n';

describe('Upgrade: h2c', () => {
  let up: Upstream, proxy: TestProxy;
  beforeAll(async () => {
    up = await startUpstream(async (req, res) => {
      let body = '';
      for await (const c of req) body += c;
      res.end(`${req.method} ${req.url} body=${body} upgrade=${req.headers.upgrade ?? 'none'} settings=${req.headers['http2-settings'] ?? 'none'}`);
    });
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /public, upstream: app }\n');
  });
  afterAll(async () => {
    await proxy.close();
    await up.close();
  });

  it('serves the request over HTTP/1.1, forwards no upgrade headers, and keeps the connection', async () => {
    const socket = net.connect(proxy.port, '127.0.0.1');
    socket.write(`GET /public/h HTTP/1.1\r\nHost: x\r\n${H2C}\r\n`);
    const first = await readUntil(socket, (t) => t.endsWith('settings=none'));
    expect(first.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    expect(first).not.toMatch(/^HTTP\/1\.1 101 /m); // (no 101 status line; a random request id may hold the digits)
    expect(first).toContain('GET /public/h body= upgrade=none settings=none');
    // The same connection carries the next request (and a body after an h2c head).
    socket.write(`POST /public/p HTTP/1.1\r\nHost: x\r\n${H2C}Content-Length: 5\r\n\r\nhello`);
    const second = await readUntil(socket, (t) => t.endsWith('settings=none'));
    expect(second.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    expect(second).toContain('POST /public/p body=hello upgrade=none');
    socket.destroy();
  });

  it('answers a request pipelined behind another one in order', async () => {
    const socket = net.connect(proxy.port, '127.0.0.1');
    socket.write(`GET /public/a HTTP/1.1\r\nHost: x\r\n\r\nGET /public/b HTTP/1.1\r\nHost: x\r\n${H2C}\r\nGET /public/c HTTP/1.1\r\nHost: x\r\n\r\n`);
    const all = await readUntil(socket, (t) => t.includes('/public/c body='));
    const order = [...all.matchAll(/GET (\/public\/\w)/g)].map((m) => m[1]);
    expect(order).toEqual(['/public/a', '/public/b', '/public/c']);
    socket.destroy();
  });

  it('takes any number of them on one connection without adding to what the connection holds', async () => {
    // Each is parsed again on the same socket (handed to the server anew): the drain's connection
    // list must not add a 'close' listener each time (11 of them: MaxListenersExceededWarning).
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on('warning', onWarning);
    try {
      const socket = net.connect(proxy.port, '127.0.0.1');
      for (let i = 0; i < 15; i++) {
        socket.write(`GET /public/n${i} HTTP/1.1\r\nHost: x\r\n${H2C}\r\n`);
        await readUntil(socket, (t) => t.includes(`/public/n${i} body=`) && t.endsWith('settings=none'));
      }
      socket.destroy();
      expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('works for curl --http2 on plain HTTP', async () => {
    const { stdout } = await promisify(execFile)('curl', ['-sS', '--http2', '-w', ' %{http_version} %{http_code}', `${proxy.url}/public/curl`]);
    expect(stdout).toBe('GET /public/curl body= upgrade=none settings=none 1.1 200');
  });
});
