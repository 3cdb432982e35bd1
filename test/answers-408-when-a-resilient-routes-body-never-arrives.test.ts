import net from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

/** Writes `bytes` and reads everything until the proxy closes the connection. */
async function untilClosed(port: number, bytes: string): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
  socket.write(bytes);
  await once(socket, 'close');
  return text;
}

describe('a resilient route whose request body never arrives', () => {
  let up: Upstream, proxy: TestProxy;
  beforeAll(async () => {
    up = await startUpstream((_req, res) => res.end('should not be reached'));
    proxy = await startProxy(
      upstreamsYaml({ app: up.url, legacy: up.url }) +
        'routes:\n' +
        '  - { prefix: /r, upstream: app, timeoutMs: 200, retry: { attempts: 3, backoffMs: 0, maxBackoffMs: 0, on: [reset] } }\n' +
        '  - { prefix: /f, upstream: app, timeoutMs: 200, fallback: legacy, breaker: { consecutiveFailures: 5, halfOpenAfterMs: 60000 } }\n',
    );
  });
  afterAll(async () => {
    await proxy.close();
    await up.close();
  });

  for (const prefix of ['/r', '/f']) {
    it(`answers 408 request_timeout within the route's timeoutMs and closes the connection (${prefix})`, async () => {
      const id = `nobody${prefix.slice(1)}`;
      // The probe: Content-Length 5 and no body, the connection left open.
      const text = await untilClosed(proxy.port, `POST ${prefix}/e HTTP/1.1\r\nHost: x\r\nX-Request-Id: ${id}\r\nContent-Length: 5\r\n\r\n`);
      expect(text.startsWith('HTTP/1.1 408 Request Timeout\r\n')).toBe(true);
      expect(text.toLowerCase()).toContain('\r\nconnection: close\r\n');
      const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
      expect(body).toEqual({ error: 'request_timeout', message: 'the request body did not arrive within 200 ms', requestId: id, route: prefix });
      expect(up.received).toHaveLength(0); // no upstream was contacted
      expect(await proxy.logLine((l) => l.requestId === id && l.status !== undefined)).toMatchObject({ status: 408, error: 'request_timeout', route: prefix });
    });
  }
});
