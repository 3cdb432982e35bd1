// An upgrade the upstream answers with something other than 101 is a plain answer relayed to the
// client, and its body is bounded like every response body: silent for the route's idleTimeoutMs
// (the upstream's side), or unwritable for that long (a client that does not read), and both
// connections close, the access line saying idle_timeout. Before, such an answer held the client
// socket and the upstream pool connection for ever: 20 of them kept every plain request of the
// route waiting for a pool connection (504).

import net from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, upstreamsYaml, type TestProxy } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';
import { metric } from './helpers/misbehaving.js';

const WS = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';

/** Answers every handshake with a 200 head and `body`, then holds the connection (never ends). */
async function answersAndHolds(body: Buffer): Promise<{ url: string; sockets: net.Socket[]; close(): void }> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => {
    s.on('error', () => {});
    s.once('data', () => {
      sockets.push(s);
      s.write(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length + 1000}\r\n\r\n`);
      s.write(body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets, close: () => (sockets.forEach((s) => s.destroy()), server.close()) };
}

describe('a non-101 answer to an upgrade', () => {
  const open: (() => unknown)[] = [];
  afterEach(async () => {
    for (const close of open.splice(0).reverse()) await close();
  });

  async function proxyFor(url: string): Promise<TestProxy> {
    const proxy = await startProxy(upstreamsYaml({ app: url }) + 'routes:\n  - { prefix: /, upstream: app, idleTimeoutMs: 300 }\n');
    open.push(() => proxy.close());
    return proxy;
  }

  it('whose upstream falls silent: the client connection and the upstream one close, idle_timeout, the upstream to blame', async () => {
    const up = await answersAndHolds(Buffer.from('a start'));
    open.push(up.close);
    const proxy = await proxyFor(up.url);
    const client = net.connect(proxy.port, '127.0.0.1');
    let received = '';
    client.on('data', (d: Buffer) => (received += d.toString('latin1')));
    client.write(`GET /chat HTTP/1.1\r\nHost: front\r\nX-Request-Id: quiet-answer\r\n${WS}\r\n`);
    await once(client, 'close');
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
    expect(received).toContain('a start');
    const line = await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'quiet-answer');
    expect(line).toMatchObject({ status: 200, error: 'idle_timeout', upstream: 'app' });
    const s = up.sockets[0]!;
    if (!s.destroyed) await once(s, 'close'); // the pool connection is given up
    expect(await metric(proxy.adminUrl, 'strangler_responses_broken_total', { route: '/', upstream: 'app', reason: 'idle_timeout' })).toBe(1);
  });

  it('whose client does not read: closed too, not blamed on the upstream', async () => {
    const up = await answersAndHolds(Buffer.alloc(8 * 1024 * 1024, 0x61)); // more than the sockets buffer
    open.push(up.close);
    const proxy = await proxyFor(up.url);
    const client = net.connect(proxy.port, '127.0.0.1');
    client.on('error', () => {});
    client.write(`GET /chat HTTP/1.1\r\nHost: front\r\nX-Request-Id: unread-answer\r\n${WS}\r\n`);
    client.pause(); // never reads
    const line = await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'unread-answer');
    expect(line).toMatchObject({ status: 200, error: 'idle_timeout' });
    expect(await metric(proxy.adminUrl, 'strangler_responses_broken_total', { route: '/', upstream: 'app', reason: 'idle_timeout' })).toBe(0);
    const s = up.sockets[0]!;
    if (!s.destroyed) await once(s, 'close');
    client.destroy();
  });
});
