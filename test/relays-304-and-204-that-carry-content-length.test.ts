// A 304 may carry the Content-Length the 200 would have had (RFC 9110 8.6), and has no body; some
// upstreams send one on a 204 too. The proxy relays either intact and keeps the client's connection.

import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawUpstream, readUntil } from './helpers/raw.js';
import { startProxy, upstreamsYaml, type TestProxy } from './helpers/servers.js';

describe('a 304 or 204 with Content-Length and no body', () => {
  let up: net.Server, proxy: TestProxy;
  beforeAll(async () => {
    up = await rawUpstream({
      '/public/nm': 'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\nContent-Length: 1234\r\n\r\n',
      '/public/nc': 'HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n',
      '/public/ok': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
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
    it(`relays status and headers with no body, and the connection stays usable (${prefix})`, async () => {
      const socket = net.connect(proxy.port, '127.0.0.1');
      socket.write(`GET ${prefix}/nm HTTP/1.1\r\nHost: x\r\nIf-None-Match: "v1"\r\n\r\n`);
      const first = await readUntil(socket, (t) => t.includes('\r\n\r\n'));
      expect(first.startsWith('HTTP/1.1 304 Not Modified\r\n')).toBe(true);
      expect(first.toLowerCase()).toContain('\r\ncontent-length: 1234\r\n');
      expect(first).toContain('\r\nETag: "v1"\r\n');
      expect(first.endsWith('\r\n\r\n')).toBe(true); // no body
      socket.write(`GET ${prefix}/nc HTTP/1.1\r\nHost: x\r\n\r\n`);
      const second = await readUntil(socket, (t) => t.includes('\r\n\r\n'));
      expect(second.startsWith('HTTP/1.1 204 No Content\r\n')).toBe(true);
      expect(second.endsWith('\r\n\r\n')).toBe(true);
      socket.write(`GET ${prefix}/ok HTTP/1.1\r\nHost: x\r\n\r\n`);
      const third = await readUntil(socket, (t) => t.endsWith('\r\n\r\nok'));
      expect(third.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
      socket.destroy();
    });
  }
});
