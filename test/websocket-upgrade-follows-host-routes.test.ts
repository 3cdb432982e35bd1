import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from './helpers/raw.js';
import { startProxy, upstreamsYaml, type TestProxy } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

/** A WebSocket server that answers every message with "<name> <url> <host>: <message>". */
async function wsUpstream(name: string): Promise<{ server: http.Server; wss: WebSocketServer; url: string }> {
  const server = http.createServer((_req, res) => res.end('plain'));
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws, req) => ws.on('message', (data) => ws.send(`${name} ${req.url} ${req.headers.host}: ${data}`)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, wss, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('WebSocket upgrades on host routes', () => {
  let proxy: TestProxy;
  const ups: Awaited<ReturnType<typeof wsUpstream>>[] = [];

  beforeAll(async () => {
    ups.push(await wsUpstream('chat'), await wsUpstream('wild'), await wsUpstream('any'));
    proxy = await startProxy(
      upstreamsYaml({ chat: ups[0]!.url, wild: ups[1]!.url, any: ups[2]!.url }) +
        'routes:\n' +
        '  - { host: chat.example.com, prefix: /live, upstream: chat, prefixRewrite: /socket }\n' +
        '  - { host: "*.example.com", prefix: /live, upstream: wild }\n' +
        '  - { prefix: /live, upstream: any }\n',
    );
  });
  afterAll(async () => {
    await proxy.close();
    for (const u of ups) {
      u.wss.close();
      u.server.closeAllConnections();
      u.server.close();
    }
  });

  const talk = async (host: string, id: string): Promise<string> => {
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/live/room`, { headers: { host, 'x-request-id': id } });
    await once(ws, 'open');
    ws.send('hi');
    const [msg] = (await once(ws, 'message')) as [Buffer];
    ws.close();
    await once(ws, 'close');
    return msg.toString();
  };

  it('upgrades on the route of the exact host, with its rewrite and the client Host kept', async () => {
    expect(await talk('Chat.Example.com:8443', 'ws-host-1')).toBe('chat /socket/room Chat.Example.com:8443: hi');
    const line = await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'ws-host-1');
    expect(line).toMatchObject({ status: 101, route: 'chat.example.com/live', upstream: 'chat' });
  });

  it('upgrades on the wildcard route, then on the route of any host', async () => {
    expect(await talk('room.example.com', 'ws-host-2')).toBe('wild /live/room room.example.com: hi');
    expect(await talk('elsewhere.test', 'ws-host-3')).toBe('any /live/room elsewhere.test: hi');
  });

  it('answers 404 no_route for an upgrade whose host and path no route takes', async () => {
    const r = await rawRequest(
      proxy.port,
      'GET /nowhere HTTP/1.1\r\nHost: chat.example.com\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body)).toMatchObject({ error: 'no_route' });
  });
});
