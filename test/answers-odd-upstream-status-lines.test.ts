// An upstream whose status line the client cannot be sent as it is: a reason phrase with a control
// byte (Node's writeHead throws: the client got an empty reply) is relayed with the standard
// reason; a status outside 100-599 (099 leaked undici's ERR_ASSERTION, 700 was relayed) is answered
// 502 upstream_unavailable with a clean message. The upstream writes the probe's bytes on a raw socket.

import net from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from './helpers/raw.js';
import { startProxy, upstreamsYaml, type TestProxy } from './helpers/servers.js';

/** Answers every request with the status line that its path names (see STATUS_LINES). */
const STATUS_LINES: Record<string, string> = {
  '/ctl': 'HTTP/1.1 200 O\x01K',
  '/del': 'HTTP/1.1 404 Not\x7fFound',
  '/latin1': 'HTTP/1.1 200 Ok\xe9',
  '/s099': 'HTTP/1.1 099 Odd',
  '/s000': 'HTTP/1.1 000 Zero',
  '/s700': 'HTTP/1.1 700 Odd',
  '/s999': 'HTTP/1.1 999 Odd',
};

async function rawUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let head = '';
    socket.on('data', (c: Buffer) => {
      head += c.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      const path = head.split(' ')[1]!.replace(/^\/(plain|retried)/, '');
      head = head.slice(end + 4);
      socket.write(Buffer.from(`${STATUS_LINES[path]}\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok`, 'latin1'));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('odd upstream status lines', () => {
  let up: Awaited<ReturnType<typeof rawUpstream>>, proxy: TestProxy;

  beforeAll(async () => {
    up = await rawUpstream();
    proxy = await startProxy(upstreamsYaml({ up: up.url }) + `
routes:
  - { prefix: /plain, upstream: up }
  - { prefix: /retried, upstream: up, retry: { attempts: 2, backoffMs: 1 }, breaker: { consecutiveFailures: 100 } }
`);
  });
  afterAll(async () => {
    await proxy.close();
    await up.close();
  });

  const get = (path: string, id: string) =>
    rawRequest(proxy.port, Buffer.from(`GET ${path} HTTP/1.1\r\nHost: x\r\nX-Request-Id: ${id}\r\nConnection: close\r\n\r\n`, 'latin1'));

  it.each([
    ['/plain/ctl', 200, 'OK'],
    ['/plain/del', 404, 'Not Found'],
    ['/plain/latin1', 200, 'OK'],
    ['/retried/ctl', 200, 'OK'],
  ])('%s: relays the status with the standard reason phrase, and the body', async (path, status, reason) => {
    const id = `reason-${path.replaceAll('/', '-')}`;
    const r = await get(path, id);
    expect(r.head.split('\r\n')[0]).toBe(`HTTP/1.1 ${status} ${reason}`);
    expect(r.body).toBe('ok');
    const line = await proxy.logLine((l) => l.requestId === id && l.msg === 'request');
    expect(line.status).toBe(status);
    expect(line.error ?? null).toBe(null);
    expect(proxy.logs.filter((l) => l.requestId === id && l.msg === 'request')).toHaveLength(1);
  });

  it.each(['/plain/s099', '/plain/s000', '/plain/s700', '/plain/s999', '/retried/s099', '/retried/s700'])(
    '%s: a status outside 100-599 is answered 502 upstream_unavailable, with a clean message',
    async (path) => {
      const id = `status-${path.replaceAll('/', '-')}`;
      const r = await get(path, id);
      expect(r.status, r.head).toBe(502);
      expect(r.headers['content-type']).toBe('application/json');
      const body = JSON.parse(r.body) as Record<string, string>;
      expect(body).toEqual({ error: 'upstream_unavailable', message: expect.any(String), requestId: id, route: path.slice(0, path.lastIndexOf('/')) });
      expect(body.message).toMatch(/upstream 'up' (answered with an invalid status code|sent a malformed response)/);
      expect(body.message).not.toMatch(/ERR_|assert/i);
      const line = await proxy.logLine((l) => l.requestId === id && l.msg === 'request');
      expect(line).toMatchObject({ status: 502, error: 'upstream_unavailable' });
      expect(proxy.logs.filter((l) => l.requestId === id && l.msg === 'request')).toHaveLength(1);
    },
  );
});
