import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { WebSocket, WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG } from '../src/observability/log-messages.js';
import { h2Connect, h2Request } from './helpers/h2-client.js';
import { startTlsFront, type TlsFront } from './helpers/h2-front.js';
import { rawRequest, readUntil } from './helpers/raw.js';
import { startProxy, upstreamsYaml, type TestProxy } from './helpers/servers.js';

const SECRET = 'a-test-secret-of-at-least-32-chars!!';

function token(sub: string): Promise<string> {
  return new SignJWT({ sub }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(SECRET));
}

describe('the identity gate on every path', () => {
  let server: http.Server, wss: WebSocketServer, proxy: TestProxy, front: TlsFront;
  const seen: http.IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      req.on('end', () => res.end(`user=${req.headers['x-user-id'] ?? 'none'}`));
    });
    wss = new WebSocketServer({ server });
    wss.on('connection', (ws, req) => ws.send(`user=${req.headers['x-user-id'] ?? 'none'}`));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    proxy = await startProxy(
      `auth:\n  idp: { jwt: { secret: '${SECRET}', claimsToHeaders: { sub: x-user-id } } }\n` +
        upstreamsYaml({ app: `http://127.0.0.1:${port}` }) +
        'routes:\n  - { prefix: /private, upstream: app, auth: idp }\n  - { prefix: /, upstream: app }\n',
    );
    front = await startTlsFront(proxy);
  });
  afterAll(async () => {
    await front.close();
    await proxy.close();
    wss.close();
    server.closeAllConnections();
    server.close();
  });

  it('removes a client-sent identity header on a route without auth, underscore spellings too', async () => {
    const res = await fetch(`${proxy.url}/open`, { headers: { 'x-user-id': 'admin', 'X-USER-ID': 'admin' } });
    expect(await res.text()).toBe('user=none');
    expect(seen.at(-1)!['x-user-id']).toBeUndefined();
    // CGI, WSGI and PHP servers read X_User_Id as X-User-Id (HTTP_X_USER_ID).
    const raw = await rawRequest(proxy.port, 'GET /open HTTP/1.1\r\nHost: x\r\nX_User_Id: admin\r\nx_USER-id: admin\r\nConnection: close\r\n\r\n');
    expect(raw.status).toBe(200);
    expect(Object.keys(seen.at(-1)!).filter((h) => h.replaceAll('_', '-') === 'x-user-id')).toEqual([]);
  });

  it('answers 401 with a JSON body, WWW-Authenticate and the request id, and one access line', async () => {
    const res = await fetch(`${proxy.url}/private/x`, { headers: { 'x-request-id': 'gate-401' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="strangler"');
    expect(await res.json()).toMatchObject({ error: 'unauthorized', requestId: 'gate-401', route: '/private' });
    const line = await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'gate-401');
    expect(line).toMatchObject({ status: 401, route: '/private', error: 'unauthorized' });
  });

  it('hands the upstream the identity from the token, never the one the client sent', async () => {
    const res = await fetch(`${proxy.url}/private/x`, { headers: { authorization: `Bearer ${await token('42')}`, 'x-user-id': 'admin' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('user=42');
    expect(seen.at(-1)!['x-user-id']).toBe('42');
  });

  it('tells a client that expects 100-continue to send its body only once it is authenticated', async () => {
    const refused = await rawRequest(
      proxy.port,
      'POST /private/upload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n',
    );
    expect(refused.status).toBe(401);
    expect(refused.head).not.toContain('100 Continue');
    const socket = net.connect(proxy.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(`POST /private/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${await token('7')}\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n`);
    expect(await readUntil(socket, (t) => t.includes('\r\n\r\n'))).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\n/);
    socket.write('hello');
    expect(await readUntil(socket, (t) => t.includes('user=7'))).toContain('HTTP/1.1 200 OK');
    socket.destroy();
  });

  it('guards HTTP/2 streams the same way', async () => {
    const session = await h2Connect(front.url, front.ca);
    try {
      const refused = await h2Request(session, { ':path': '/private/h2', 'x-user-id': 'admin' });
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toBe('Bearer realm="strangler"');
      const ok = await h2Request(session, { ':path': '/private/h2', authorization: `Bearer ${await token('9')}`, 'x-user-id': 'admin' });
      expect(ok.status).toBe(200);
      expect(ok.body.toString()).toBe('user=9');
    } finally {
      session.close();
    }
  });

  it('refuses a WebSocket upgrade without a token on the raw socket, and passes one with it', async () => {
    const refused = await rawRequest(
      proxy.port,
      'GET /private/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'unauthorized' });
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/private/ws`, { headers: { authorization: `Bearer ${await token('11')}`, 'x-user-id': 'admin' } });
    const [message] = (await once(ws, 'message')) as [Buffer];
    expect(message.toString()).toBe('user=11');
    ws.close();
  });
});
