// RFC 9110 15.2: a client MUST parse a 1xx it did not ask for. IIS and some older servers send
// `100 Continue` to every POST (and some to every request) whether or not the request had
// `Expect: 100-continue`. The proxy drops it: the client sees its final response, plus the
// proxy's own single 100 only if it asked for one; and the upstream connection stays reusable.
// undici 7 destroys the socket on a 100 (nodejs/undici#197): patches/undici+7.30.2.patch.

import { once } from 'node:events';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShadowEvent } from '../src/shadow/log-line.js';
import { readUntil } from './helpers/raw.js';
import { startProxy, upstreamsYaml, type TestProxy } from './helpers/servers.js';

const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';

/** An upstream that writes `100 Continue` right after every request head, as IIS does, then
 *  once the body has arrived a 200 naming the body and its connection: `got <body> on conn <n>.` */
async function iisLikeUpstream(): Promise<net.Server> {
  let connections = 0;
  const server = net.createServer((socket) => {
    const conn = ++connections;
    let pending = Buffer.alloc(0);
    let head: { length: number } | null = null;
    socket.on('data', (c: Buffer) => {
      pending = Buffer.concat([pending, c]);
      for (;;) {
        if (head === null) {
          const end = pending.indexOf('\r\n\r\n');
          if (end === -1) return;
          const text = pending.subarray(0, end).toString('latin1');
          pending = pending.subarray(end + 4);
          const length = /\r\ncontent-length:\s*(\d+)/i.exec(text);
          head = { length: length === null ? 0 : Number(length[1]) };
          // A GET's 100 goes out in the same packet as its final response; a POST's before the body.
          if (head.length > 0) socket.write(CONTINUE);
        }
        if (pending.length < head.length) return;
        const body = pending.subarray(0, head.length).toString('latin1');
        pending = pending.subarray(head.length);
        const text = `got ${body || 'nothing'} on conn ${conn}.`;
        socket.write(`${head.length > 0 ? '' : CONTINUE}HTTP/1.1 200 OK\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
        head = null;
      }
    });
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** An upstream that answers an upgrade with `100 Continue` and then `101` plus "hi", then echoes. */
async function upgradingUpstream(): Promise<net.Server> {
  const server = net.createServer((socket) => {
    let head = '';
    let upgraded = false;
    socket.on('data', (c: Buffer) => {
      if (upgraded) return void socket.write(c);
      head += c.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      upgraded = true;
      socket.write(`${CONTINUE}HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nhi`);
    });
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

const count100 = (text: string): number => text.split('HTTP/1.1 100').length - 1;

/** The conn number an answer names. */
const connOf = (text: string): string => /on conn (\d+)\.$/.exec(text)![1]!;

/** A final answer's body has arrived (the upstream's, or the proxy's JSON error: a 502 without the fix). */
const done = (text: string): boolean => /on conn \d+\.$/.test(text) || /\r\n\r\n\{[^]*\}$/.test(text);

describe('an unsolicited 100 Continue from the upstream', () => {
  let up: net.Server, next: net.Server, ws: net.Server, proxy: TestProxy;
  const urlOf = (s: net.Server): string => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  beforeAll(async () => {
    up = await iisLikeUpstream();
    next = await iisLikeUpstream();
    ws = await upgradingUpstream();
    proxy = await startProxy(
      upstreamsYaml({ app: urlOf(up), next: urlOf(next), ws: urlOf(ws) }) +
        'routes:\n  - { prefix: /mirror, upstream: app, shadow: { upstream: next } }\n  - { prefix: /room, upstream: ws }\n  - { prefix: /, upstream: app }\n',
    );
  });
  afterAll(async () => {
    await proxy.close();
    await Promise.all([up, next, ws].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  });

  async function connect(): Promise<net.Socket> {
    const socket = net.connect(proxy.port, '127.0.0.1');
    await once(socket, 'connect');
    return socket;
  }

  it('GET: the client gets the final 200 and no 100; the upstream connection is reused', async () => {
    const socket = await connect();
    socket.write('GET /a HTTP/1.1\r\nHost: x\r\n\r\n');
    const first = await readUntil(socket, done);
    expect(first).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(first).toMatch(/\r\n\r\ngot nothing on conn \d+\.$/);
    socket.write('GET /b HTTP/1.1\r\nHost: x\r\n\r\n');
    const second = await readUntil(socket, done);
    expect(second).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(count100(first + second)).toBe(0);
    expect(connOf(second)).toBe(connOf(first));
    socket.destroy();
  });

  it('POST without Expect: the final 200 with the body, no 100; the upstream connection is reused', async () => {
    const socket = await connect();
    socket.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello');
    const first = await readUntil(socket, done);
    expect(first).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(first).toMatch(/\r\n\r\ngot hello on conn \d+\.$/);
    socket.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nworld');
    const second = await readUntil(socket, done);
    expect(second).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\ngot world on conn \d+\.$/);
    expect(count100(first + second)).toBe(0);
    expect(connOf(second)).toBe(connOf(first));
    socket.destroy();
  });

  it('POST with Expect: 100-continue: exactly one 100 (the proxy\'s), then the final 200', async () => {
    const socket = await connect();
    socket.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
    const interim = await readUntil(socket, (t) => t.endsWith('\r\n\r\n'));
    expect(interim).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    socket.write('hello');
    const rest = await readUntil(socket, done);
    expect(rest).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\ngot hello on conn \d+\.$/);
    expect(count100(interim + rest)).toBe(1);
    // The same again on the same client connection: one more 100, the same upstream connection.
    socket.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
    const interim2 = await readUntil(socket, (t) => t.endsWith('\r\n\r\n'));
    expect(interim2).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    socket.write('again');
    const rest2 = await readUntil(socket, done);
    expect(rest2).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\ngot again on conn \d+\.$/);
    expect(count100(interim2 + rest2)).toBe(1);
    expect(connOf(rest2)).toBe(connOf(rest));
    socket.destroy();
  });

  it('a shadow copy gets the final 200 too', async () => {
    const event = once(proxy.proxy.shadow, 'event').then(([e]) => e as ShadowEvent);
    const socket = await connect();
    socket.write('GET /mirror/a HTTP/1.1\r\nHost: x\r\n\r\n');
    const answer = await readUntil(socket, done);
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(count100(answer)).toBe(0);
    expect(await event).toMatchObject({ primaryStatus: 200, shadowStatus: 200 });
    socket.destroy();
  });

  it('an upgrade: the 100 before the 101 is dropped, the tunnel works', async () => {
    const socket = await connect();
    socket.write('GET /room HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    const head = await readUntil(socket, (t) => t.endsWith('\r\n\r\nhi'));
    expect(head).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    expect(count100(head)).toBe(0);
    socket.write('ping');
    expect(await readUntil(socket, (t) => t === 'ping')).toBe('ping');
    socket.destroy();
  });
});
