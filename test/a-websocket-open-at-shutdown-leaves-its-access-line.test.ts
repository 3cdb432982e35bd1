// A WebSocket still open when strangler stops is closed after the drain, and its access line
// (status 101, bytes, duration) is written before "stopped": the shutdown destroyed the tunnel's
// sockets without waiting for their close, which is when the line is written, so the process
// exited first and every open tunnel's line was lost on each deploy.
import net from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readUntil } from './helpers/raw.js';
import { startProxy, upstreamsYaml, type TestProxy } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

const WS = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
const closers: (() => void)[] = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

describe('a WebSocket open at shutdown', () => {
  it('is closed after the drain and its access line is written before "stopped"', async () => {
    // Answers 101 with "hi", then holds the tunnel open.
    const upstream = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nhi'));
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    closers.push(() => upstream.close());
    const proxy: TestProxy = await startProxy(upstreamsYaml({ up: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` }) + 'server:\n  drainTimeoutMs: 50\nroutes:\n  - { prefix: /, upstream: up }\n');
    const clients = ['ws-1', 'ws-2'].map((id) => {
      const client = net.connect(proxy.port, '127.0.0.1');
      client.on('error', () => {});
      closers.push(() => client.destroy());
      client.write(`GET /room HTTP/1.1\r\nHost: front\r\nX-Request-Id: ${id}\r\n${WS}\r\n`);
      return client;
    });
    await Promise.all(clients.map((c) => readUntil(c, (text) => text.includes('\r\n\r\nhi'))));
    // Open tunnels show before their lines are written (an extension).
    expect(await (await fetch(`${proxy.adminUrl}/metrics`)).text()).toMatch(/^strangler_upgrades_open 2$/m);
    const closed = clients.map((c) => once(c, 'close'));
    await proxy.close();
    await Promise.all(closed);
    // The proxy ended them (the drain): drain_timeout, as a plain request cut there says.
    const lines = proxy.logs.map((l) => (l.msg === LOG.request ? `${l.requestId} ${l.status} ${l.bytes} ${l.error}: ${l.detail}` : l.msg));
    const stopped = lines.indexOf(LOG.stopped);
    expect(stopped).toBeGreaterThan(-1);
    expect(lines.slice(0, stopped)).toEqual(expect.arrayContaining(['ws-1 101 2 drain_timeout: the drain timed out: the proxy closed the connection', 'ws-2 101 2 drain_timeout: the drain timed out: the proxy closed the connection']));
  });
});
