import net from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, rawUpstream } from './helpers/raw.js';
import { startProxy, upstreamsYaml, type TestProxy } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

const WS = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';

describe('the upgrade handshake', () => {
  let silent: net.Server, refusing: net.Server, proxy: TestProxy;
  /** Connections on which a handshake arrived. */
  const silentSockets: net.Socket[] = [];

  beforeAll(async () => {
    // Takes the connection and the handshake, and never answers.
    silent = net.createServer((s) => {
      s.once('data', () => silentSockets.push(s));
      s.on('error', () => {});
    });
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    refusing = await rawUpstream({
      '/deny': 'HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nX-Why: origin\r\nContent-Length: 6\r\n\r\ndenied',
      '/plain': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Kind: page\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
    });
    proxy = await startProxy(
      upstreamsYaml({
        silent: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
        refusing: `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`,
      }) + 'routes:\n  - { prefix: /silent, upstream: silent, timeoutMs: 150 }\n  - { prefix: /, upstream: refusing }\n',
    );
  });
  afterAll(async () => {
    await proxy.close();
    for (const s of silentSockets) s.destroy();
    silent.close();
    refusing.close();
  });

  it('answers 504 upstream_timeout when the upstream does not answer within the route timeoutMs', async () => {
    const r = await rawRequest(proxy.port, `GET /silent/x HTTP/1.1\r\nHost: front\r\nX-Request-Id: up-slow\r\n${WS}\r\n`);
    expect(r.status).toBe(504);
    expect(JSON.parse(r.body)).toMatchObject({ error: 'upstream_timeout', requestId: 'up-slow' });
    const line = await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'up-slow');
    expect(line).toMatchObject({ status: 504, error: 'upstream_timeout', route: '/silent', upstream: 'silent' });
    // The upstream connection of the abandoned handshake is closed.
    expect(silentSockets).toHaveLength(1);
    const s = silentSockets[0]!;
    if (!s.destroyed) await once(s, 'close');
  });

  it("relays an upstream's non-101 answer (status, headers, body) and closes", async () => {
    const r = await rawRequest(proxy.port, `GET /deny HTTP/1.1\r\nHost: front\r\nX-Request-Id: up-deny\r\n${WS}\r\n`);
    expect(r.status).toBe(403);
    expect(r.headers['x-why']).toBe('origin');
    expect(r.headers.connection).toBe('close');
    expect(r.body).toBe('denied');
    const line = await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'up-deny');
    expect(line).toMatchObject({ status: 403, bytes: 6 });
    expect(line).not.toHaveProperty('error');
  });

  it('relays a chunked 200 to an upgrade as a body that ends with the connection', async () => {
    const r = await rawRequest(proxy.port, `GET /plain HTTP/1.1\r\nHost: front\r\nX-Request-Id: up-plain\r\n${WS}\r\n`);
    expect(r.status).toBe(200);
    expect(r.headers['x-kind']).toBe('page');
    expect(r.headers['transfer-encoding']).toBeUndefined();
    expect(r.body).toBe('hello world');
    const line = await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'up-plain');
    expect(line).toMatchObject({ status: 200, bytes: 11 });
    expect(line).not.toHaveProperty('error');
  });
});
