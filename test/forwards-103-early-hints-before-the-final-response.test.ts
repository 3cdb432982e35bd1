// RFC 9110 15.2 / RFC 8297: an upstream's 103 Early Hints reaches the client before the final
// response. The upstream here writes exact bytes.

import net from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, upstreamsYaml, type TestProxy } from './helpers/servers.js';

/** An upstream writing exact bytes: per request path, everything it answers. */
async function rawUpstream(answers: Record<string, string>): Promise<net.Server> {
  const server = net.createServer((socket) => {
    let pending = '';
    socket.on('data', (c: Buffer) => {
      pending += c.toString('latin1');
      let end: number;
      while ((end = pending.indexOf('\r\n\r\n')) !== -1) {
        const path = pending.slice(0, end).split(' ')[1]!;
        pending = pending.slice(end + 4);
        socket.write(answers[path] ?? 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      }
    });
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** Reads from the socket until `done(text)` holds; rejects if the connection closes first. */
function readUntil(socket: net.Socket, done: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (c: Buffer): void => {
      text += c.toString('latin1');
      if (!done(text)) return;
      socket.off('data', onData).off('close', onClose);
      resolve(text);
    };
    const onClose = (): void => reject(new Error(`closed after ${JSON.stringify(text)}`));
    socket.on('data', onData).on('close', onClose);
  });
}

const FINAL = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

describe('1xx from the upstream', () => {
  let up: net.Server, proxy: TestProxy;
  beforeAll(async () => {
    up = await rawUpstream({
      '/public/hints': 'HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\nLink: </app.js>; rel=preload; as=script\r\n\r\n' + FINAL,
      '/public/processing': 'HTTP/1.1 102 Processing\r\n\r\n' + FINAL,
    });
    const url = `http://127.0.0.1:${(up.address() as AddressInfo).port}`;
    proxy = await startProxy(
      upstreamsYaml({ app: url }) +
        'routes:\n  - { prefix: /public, upstream: app }\n' +
        '  - { prefix: /r/public, upstream: app, prefixRewrite: /public, retry: { attempts: 2, backoffMs: 0, maxBackoffMs: 0, on: [reset, 503] } }\n',
    );
  });
  afterAll(async () => {
    await proxy.close();
    await new Promise<void>((resolve) => up.close(() => resolve()));
  });

  for (const prefix of ['/public', '/r/public']) {
    it(`forwards 103 Early Hints, then the final response (${prefix})`, async () => {
      const socket = net.connect(proxy.port, '127.0.0.1');
      socket.write(`GET ${prefix}/hints HTTP/1.1\r\nHost: x\r\n\r\n`);
      const text = await readUntil(socket, (t) => t.endsWith('\r\n\r\nok'));
      expect(text.startsWith('HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style, </app.js>; rel=preload; as=script\r\n\r\nHTTP/1.1 200 OK\r\n')).toBe(true);
      socket.destroy();
    });
  }

  it('skips other interim responses', async () => {
    const socket = net.connect(proxy.port, '127.0.0.1');
    socket.write('GET /public/processing HTTP/1.1\r\nHost: x\r\n\r\n');
    const text = await readUntil(socket, (t) => t.endsWith('\r\n\r\nok'));
    expect(text.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    socket.destroy();
  });
});
