import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { WebSocket, WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusedPort, startProxy, upstreamsYaml, type TestProxy } from './helpers/servers.js';
import type { AddressInfo } from 'node:net';
import { LOG } from '../src/observability/log-messages.js';

describe('WebSocket upgrades', () => {
  let server: http.Server, wss: WebSocketServer, proxy: TestProxy;
  const upgrades: http.IncomingMessage[] = [];

  beforeAll(async () => {
    server = http.createServer((_req, res) => res.end('plain'));
    wss = new WebSocketServer({ server });
    wss.on('connection', (ws, req) => {
      upgrades.push(req);
      ws.on('message', (data, isBinary) => ws.send(isBinary ? data : `echo ${req.url}: ${data}`, { binary: isBinary }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    const dead = await refusedPort();
    proxy = await startProxy(
      upstreamsYaml({ ws: `http://127.0.0.1:${port}`, dead: `http://127.0.0.1:${dead}` }) +
        'routes:\n  - { prefix: /live, upstream: ws, prefixRewrite: /socket }\n  - { prefix: /dead, upstream: dead }\n' +
        '  - { prefix: /internal, upstream: ws, preserveHost: false }\n',
    );
  });
  afterAll(async () => {
    await proxy.close();
    wss.close();
    server.closeAllConnections();
    server.close();
  });

  it('echoes text and binary frames through the proxy, with the path rewritten and forwarding headers set', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/live/room?x=1`, { headers: { 'x-request-id': 'ws-1', 'x-forwarded-for': '6.6.6.6' } });
    await once(ws, 'open');
    ws.send('hi');
    const [text] = (await once(ws, 'message')) as [Buffer];
    expect(text.toString()).toBe('echo /socket/room?x=1: hi');
    ws.send(Buffer.from([0, 1, 2, 255]));
    const [bin] = (await once(ws, 'message')) as [Buffer];
    expect([...bin]).toEqual([0, 1, 2, 255]);
    const req = upgrades.at(-1)!;
    expect(req.headers['x-request-id']).toBe('ws-1');
    expect(req.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(req.headers['x-forwarded-host']).toBe(`127.0.0.1:${proxy.port}`);
    ws.close();
    await once(ws, 'close');
    const line = await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'ws-1');
    expect(line).toMatchObject({ status: 101, route: '/live', upstream: 'ws' });
  });

  it('drops hop-by-hop headers on an upgrade too, keeping only Connection: Upgrade', async () => {
    const socket = net.connect(proxy.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      'GET /live/raw HTTP/1.1\r\nHost: front\r\nUpgrade: websocket\r\nConnection: Upgrade, X-Secret\r\n' +
        'X-Secret: s\r\nProxy-Foo: p\r\nKeep-Alive: 5\r\nX-Kept: k\r\nX-Request-Id: ws-raw\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    const [head] = (await once(socket, 'data')) as [Buffer];
    expect(head.toString()).toMatch(/^HTTP\/1\.1 101 /);
    socket.destroy();
    const req = upgrades.find((r) => r.headers['x-request-id'] === 'ws-raw')!;
    expect(req.headers['x-kept']).toBe('k');
    expect(req.headers.connection?.toLowerCase()).toBe('upgrade'); // tokens are case-insensitive (RFC 9110 7.6.1)
    expect(req.headers['x-secret']).toBeUndefined();
    expect(req.headers['proxy-foo']).toBeUndefined();
    expect(req.headers['keep-alive']).toBeUndefined();
    // Contract v2: preserveHost defaults to true, on upgrades as on any request.
    expect(req.headers.host).toBe('front');
  });

  it("sends the upstream's host on an upgrade with preserveHost: false", async () => {
    const socket = net.connect(proxy.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      'GET /internal/raw HTTP/1.1\r\nHost: front\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Request-Id: ws-internal\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    const [head] = (await once(socket, 'data')) as [Buffer];
    expect(head.toString()).toMatch(/^HTTP\/1\.1 101 /);
    socket.destroy();
    const req = upgrades.find((r) => r.headers['x-request-id'] === 'ws-internal')!;
    expect(req.headers.host).toBe(`127.0.0.1:${(server.address() as AddressInfo).port}`);
  });

  it('answers 404 no_route for an upgrade that matches no route', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/nowhere`);
    ws.on('error', () => {}); // the refused handshake also surfaces as an error on the client
    const [, res] = (await once(ws, 'unexpected-response')) as [unknown, http.IncomingMessage];
    expect(res.statusCode).toBe(404);
    let body = '';
    for await (const c of res) body += c;
    expect(JSON.parse(body)).toMatchObject({ error: 'no_route' });
    ws.terminate();
  });

  it('answers 502 upstream_unavailable when the upstream is down', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/dead`);
    ws.on('error', () => {});
    const [, res] = (await once(ws, 'unexpected-response')) as [unknown, http.IncomingMessage];
    expect(res.statusCode).toBe(502);
    let body = '';
    for await (const c of res) body += c;
    expect(JSON.parse(body)).toMatchObject({ error: 'upstream_unavailable' });
    ws.terminate();
  });
});
