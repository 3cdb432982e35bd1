import net from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readUntil } from './helpers/raw.js';
import { startProxy, upstreamsYaml, type TestProxy } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

const WS = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';

describe('an upgraded tunnel', () => {
  let upstream: net.Server, proxy: TestProxy;
  const tunnels: { socket: net.Socket; head: string; after: string }[] = [];

  beforeAll(async () => {
    // Answers 101 with "hi" in the same packet, then echoes; "bye" makes it end the tunnel.
    upstream = net.createServer((socket) => {
      const t = { socket, head: '', after: '' };
      socket.once('data', () => tunnels.push(t)); // counted once a handshake arrives on it
      socket.on('error', () => {});
      let upgraded = false;
      socket.on('data', (c: Buffer) => {
        if (!upgraded) {
          t.head += c.toString('latin1');
          const end = t.head.indexOf('\r\n\r\n');
          if (end === -1) return;
          upgraded = true;
          const rest = t.head.slice(end + 4);
          t.head = t.head.slice(0, end);
          socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nX-Up: 1\r\n\r\nhi');
          if (rest !== '') c = Buffer.from(rest, 'latin1');
          else return;
        }
        t.after += c.toString('latin1');
        if (c.toString() === 'bye') socket.end();
        else socket.write(c);
      });
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    proxy = await startProxy(upstreamsYaml({ up: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` }) + 'server:\n  drainTimeoutMs: 50\nroutes:\n  - { prefix: /, upstream: up, preserveHost: false }\n');
  });
  afterAll(async () => {
    await proxy.close();
    for (const t of tunnels) t.socket.destroy();
    upstream.close();
  });

  /** Everything the client received so far is `received()`; `until` waits for it to match. */
  async function open(id: string, early = ''): Promise<{ client: net.Socket; head: string; until: (done: (all: string) => boolean) => Promise<void> }> {
    const client = net.connect(proxy.port, '127.0.0.1');
    client.on('error', () => {});
    await once(client, 'connect');
    let all = '';
    client.on('data', (c: Buffer) => void (all += c.toString('latin1')));
    const until = async (done: (all: string) => boolean): Promise<void> => {
      if (!done(all)) await readUntil(client, () => done(all));
    };
    client.write(`GET /room HTTP/1.1\r\nHost: front\r\nX-Request-Id: ${id}\r\n${WS}\r\n${early}`);
    await until((t) => t.includes('\r\n\r\nhi'));
    return { client, head: all.slice(0, all.indexOf('\r\n\r\n') + 4), until };
  }

  it('relays the 101 head and the bytes after it, forwards the handshake headers and bytes sent early, and logs 101 with the bytes when the upstream ends', async () => {
    const { client, head, until } = await open('tun-1', 'early');
    expect(head).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    expect(head.toLowerCase()).toContain('x-up: 1');
    const t = tunnels.at(-1)!;
    expect(t.head.toLowerCase()).toMatch(/\r\nconnection: upgrade\r\n/);
    expect(t.head.toLowerCase()).toMatch(/\r\nupgrade: websocket\r\n/);
    expect(t.head).toMatch(/\r\nx-request-id: tun-1(\r\n|$)/i);
    expect(t.head).toMatch(/\r\nx-forwarded-host: front(\r\n|$)/i);
    expect(t.head).toMatch(new RegExp(`\\r\\nhost: 127\\.0\\.0\\.1:${(upstream.address() as AddressInfo).port}(\\r\\n|$)`, 'i'));
    await until((all) => all.endsWith('\r\n\r\nhiearly'));
    client.write('ping');
    await until((all) => all.endsWith('\r\n\r\nhiearlyping'));
    client.write('bye');
    await once(client, 'end');
    const line = await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'tun-1');
    expect(line).toMatchObject({ status: 101, bytes: 'hi'.length + 'early'.length + 'ping'.length, upstream: 'up' });
    expect(line).not.toHaveProperty('error');
    expect(t.after).toBe('earlypingbye');
    expect(proxy.logs.filter((l) => l.msg === LOG.request && l.requestId === 'tun-1')).toHaveLength(1);
  });

  it('closes the upstream side when the client leaves, with one access line', async () => {
    const { client } = await open('tun-2');
    const t = tunnels.at(-1)!;
    client.destroy();
    if (!t.socket.destroyed) await once(t.socket, 'close');
    const line = await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'tun-2');
    expect(line).toMatchObject({ status: 101, bytes: 2 });
  });

  it('ends every open tunnel on shutdown', async () => {
    const { client } = await open('tun-3');
    const t = tunnels.at(-1)!;
    const closed = Promise.all([once(client, 'close'), t.socket.destroyed ? null : once(t.socket, 'close')]);
    await proxy.close();
    await closed;
  });
});
