// A request whose route has a forward authenticator waits on it before anything is sent. If the
// request does not all arrive within requestTimeoutMs meanwhile, the client is answered 408
// request_timeout (naming the route), over HTTP/1.1 and HTTP/2 alike; the authenticator's call is
// cancelled; and the request has one access line, with its route and path, not a 408 with no route
// and then a 499 "client_closed" the client never caused (HTTP/1.1), nor a bare stream reset (HTTP/2).

import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { h2Stack } from './helpers/h2-stack.js';
import { h2Outcome } from './helpers/h2-client.js';
import { startProxy, upstreamsYaml, type TestProxy } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

/** The monolith: its /whoami never answers; `authCancelled` resolves when the proxy gives up on it. */
async function stuckAuthenticator(): Promise<{ url: string; authCancelled: Promise<void>; close(): Promise<void> }> {
  let cancelled!: () => void;
  const authCancelled = new Promise<void>((r) => (cancelled = r));
  const server = http.createServer((req, res) => {
    if (req.url!.startsWith('/whoami')) return void req.socket.once('close', cancelled);
    req.resume();
    req.on('end', () => res.end('forwarded'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    server.close();
  };
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, authCancelled, close };
}

const routesYaml = (url: string): string =>
  'server: { requestTimeoutMs: 500, headersTimeoutMs: 400 }\n' +
  'auth:\n  monolith: { forward: { upstream: app, path: /whoami, timeoutMs: 60000 } }\n' +
  upstreamsYaml({ app: url }) +
  'routes:\n  - { prefix: /uploads, upstream: app, auth: monolith }\n';

/** Every access line of one request, once a later request's line is out (the gate's late
 *  decision, had it been logged, comes long before: it follows the cancel at once). */
async function linesOf(proxy: TestProxy, requestId: string): Promise<Record<string, unknown>[]> {
  await fetch(`${proxy.url}/elsewhere`, { headers: { 'x-request-id': 'marker' } }).then((r) => r.arrayBuffer());
  await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'marker');
  return proxy.logs.filter((l) => l.msg === LOG.request && l.requestId === requestId);
}

const expected = { method: 'POST', path: '/uploads/a', route: '/uploads', upstream: null, status: 408, error: 'request_timeout', clientIp: '127.0.0.1' };

describe('a request timing out while its route gate decides', () => {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });

  it('HTTP/1.1: answered 408 with its route, the authenticator cancelled, one access line', async () => {
    const auth = await stuckAuthenticator();
    open.push(auth);
    const proxy = await startProxy(routesYaml(auth.url));
    open.push(proxy);
    const socket = net.connect(proxy.port, '127.0.0.1');
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    socket.write('POST /uploads/a HTTP/1.1\r\nHost: x\r\nX-Request-Id: h1-gated\r\nContent-Length: 10\r\n\r\n12345');
    await once(socket, 'close');
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(JSON.parse(received.slice(received.indexOf('\r\n\r\n') + 4))).toEqual({
      error: 'request_timeout', message: 'the request did not arrive in time', requestId: 'h1-gated', route: '/uploads',
    });
    await auth.authCancelled;
    const lines = await linesOf(proxy, 'h1-gated');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject(expected);
  });

  const stack = h2Stack();
  it('HTTP/2: answered 408 with its route (not a stream reset), the authenticator cancelled, one access line', async () => {
    const auth = await stuckAuthenticator();
    const { proxy, session } = await stack.start(auth, routesYaml(auth.url));
    const req = session.request({ ':method': 'POST', ':path': '/uploads/a', 'content-length': '10', 'x-request-id': 'h2-gated' });
    req.on('error', () => {});
    req.write('12345');
    const { status, body } = await h2Outcome(req);
    expect(status).toBe(408);
    expect(JSON.parse(body)).toMatchObject({ error: 'request_timeout', requestId: 'h2-gated', route: '/uploads' });
    await auth.authCancelled;
    const lines = await linesOf(proxy, 'h2-gated');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject(expected);
    expect(session.destroyed).toBe(false);
  });

  it('a request whose body all arrived is no slow upload: forwarded once the gate lets it, over HTTP/1.1 and HTTP/2 alike', async () => {
    let admit!: () => void;
    const gateOpens = new Promise<void>((r) => (admit = r));
    const server = http.createServer((req, res) => {
      if (req.url!.startsWith('/whoami')) return void gateOpens.then(() => res.end('ok'));
      req.resume();
      req.on('end', () => res.end('forwarded'));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { proxy, session } = await stack.start({ close: async () => void (server.closeAllConnections(), server.close()) }, routesYaml(url));
    const h1 = fetch(`${proxy.url}/uploads/b`, { method: 'POST', body: '12345', headers: { 'x-request-id': 'h1-whole' } });
    const req = session.request({ ':method': 'POST', ':path': '/uploads/b', 'content-length': '5', 'x-request-id': 'h2-whole' });
    req.end('12345');
    const h2 = h2Outcome(req);
    setTimeout(admit, 900); // the gate decides after requestTimeoutMs (500 ms) has passed for both
    expect((await h1).status).toBe(200);
    expect((await h2).status).toBe(200);
  });
});
