import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from './helpers/raw.js';
import { startProxy, upstreamsYaml, type TestProxy } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

// Upgrades pass the same checks as any request; each refusal is the JSON error (never a silently
// closed socket), one access line, and nothing reaches the upstream.
describe('upgrades refused by the request checks', () => {
  let upstream: http.Server, proxy: TestProxy;
  const reached: string[] = [];

  beforeAll(async () => {
    upstream = http.createServer((_req, res) => res.end('plain'));
    upstream.on('upgrade', (req, socket) => {
      reached.push(String(req.headers['x-request-id']));
      socket.end('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    const port = (upstream.address() as AddressInfo).port;
    proxy = await startProxy(upstreamsYaml({ ws: `http://127.0.0.1:${port}` }) + 'routes:\n  - { prefix: /live, upstream: ws }\n');
  });
  afterAll(async () => {
    await proxy.close();
    upstream.closeAllConnections();
    upstream.close();
  });

  const WS = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';

  async function refused(id: string, request: string, status: number, error: string): Promise<void> {
    const r = await rawRequest(proxy.port, request);
    expect(r.status).toBe(status);
    expect(r.headers['content-type']).toBe('application/json');
    expect(JSON.parse(r.body)).toMatchObject({ error, requestId: id });
    const line = await proxy.logLine((l) => l.msg === LOG.request && l.requestId === id);
    expect(line).toMatchObject({ status, error });
    expect(proxy.logs.filter((l) => l.msg === LOG.request && l.requestId === id)).toHaveLength(1);
    expect(reached).not.toContain(id);
  }

  it('answers 400 bad_request to an upgrade whose method is not GET', async () => {
    await refused('up-post', `POST /live/x HTTP/1.1\r\nHost: front\r\nX-Request-Id: up-post\r\n${WS}\r\n`, 400, 'bad_request');
  });

  it('answers 400 bad_request to an HTTP/1.1 upgrade without Host', async () => {
    await refused('up-nohost', `GET /live/x HTTP/1.1\r\nX-Request-Id: up-nohost\r\n${WS}\r\n`, 400, 'bad_request');
  });

  it('answers 400 bad_request to an HTTP/1.0 upgrade', async () => {
    await refused('up-10', `GET /live/x HTTP/1.0\r\nHost: front\r\nX-Request-Id: up-10\r\n${WS}\r\n`, 400, 'bad_request');
  });

  it('answers 431 headers_too_large to an upgrade with more header fields than maxHeadersCount', async () => {
    const many = Array.from({ length: 150 }, (_, i) => `X-H${i}: v\r\n`).join('');
    await refused('up-many', `GET /live/x HTTP/1.1\r\nHost: front\r\nX-Request-Id: up-many\r\n${many}${WS}\r\n`, 431, 'headers_too_large');
  });

  it('answers 400 bad_request to an upgrade that carries a body (Content-Length or chunked)', async () => {
    await refused('up-body', `GET /live/x HTTP/1.1\r\nHost: front\r\nX-Request-Id: up-body\r\nContent-Length: 5\r\n${WS}\r\nhello`, 400, 'bad_request');
    await refused('up-chunked', `GET /live/x HTTP/1.1\r\nHost: front\r\nX-Request-Id: up-chunked\r\nTransfer-Encoding: chunked\r\n${WS}\r\n5\r\nhello\r\n0\r\n\r\n`, 400, 'bad_request');
  });

  it('answers 404 no_route to an upgrade no route takes, and 400 to an upgrade to anything but WebSocket', async () => {
    await refused('up-none', `GET /nowhere HTTP/1.1\r\nHost: front\r\nX-Request-Id: up-none\r\n${WS}\r\n`, 404, 'no_route');
    await refused('up-irc', `GET /live/x HTTP/1.1\r\nHost: front\r\nX-Request-Id: up-irc\r\nConnection: Upgrade\r\nUpgrade: IRC/6.9\r\n\r\n`, 400, 'bad_request');
  });
});
