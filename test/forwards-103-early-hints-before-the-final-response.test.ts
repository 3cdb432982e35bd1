// RFC 9110 15.2 / RFC 8297: an upstream's 103 Early Hints reaches the client before the final
// response. The upstream here writes exact bytes.

import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawUpstream, readUntil } from './helpers/raw.js';
import { startProxy, upstreamsYaml, type TestProxy } from './helpers/servers.js';

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
