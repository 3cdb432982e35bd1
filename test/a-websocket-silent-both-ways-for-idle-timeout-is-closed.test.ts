// A WebSocket tunnel had no bound at all: a fully silent one (or one whose client vanished
// without a FIN, a phone leaving coverage) held both sockets for ever. No byte either way for the
// route's idleTimeoutMs now closes both ends, as nginx's proxy_read_timeout does, and the access
// line says idle_timeout with status 101.
import net from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readUntil } from './helpers/raw.js';
import { startProxy, upstreamsYaml, type TestProxy } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

const WS = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

describe('a WebSocket tunnel silent both ways', () => {
  it('is closed at the route idleTimeoutMs, both ends, logged idle_timeout', async () => {
    const upstreamSockets: net.Socket[] = [];
    const upstream = net.createServer((socket) => {
      upstreamSockets.push(socket);
      socket.on('error', () => {});
      socket.once('data', () => socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nhi'));
      socket.on('data', (c: Buffer) => c.toString() === 'ping' && socket.write('pong'));
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    closers.push(() => void upstream.close());
    const proxy: TestProxy = await startProxy(upstreamsYaml({ up: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` }) + 'routes:\n  - { prefix: /, upstream: up, idleTimeoutMs: 300 }\n');
    closers.push(() => proxy.close());
    const client = net.connect(proxy.port, '127.0.0.1');
    client.on('error', () => {});
    closers.push(() => void client.destroy());
    client.write(`GET /room HTTP/1.1\r\nHost: front\r\nX-Request-Id: quiet-1\r\n${WS}\r\n`);
    await readUntil(client, (t) => t.includes('\r\n\r\nhi'));
    client.write('ping');
    await readUntil(client, (t) => t.includes('pong')); // traffic both ways, then silence
    const upstreamClosed = once(upstreamSockets[0]!, 'close');
    await once(client, 'close');
    await upstreamClosed;
    // The bound working, not a failure: at info (every quiet browser tab would be a warning).
    expect(await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'quiet-1')).toMatchObject({ level: 'info', status: 101, error: 'idle_timeout', bytes: 6, detail: 'no byte either way for 300 ms' });
  });
});
