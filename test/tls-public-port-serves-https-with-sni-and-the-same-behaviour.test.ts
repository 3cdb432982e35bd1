// server.tls: the public port speaks HTTPS. The client trusts only the test's private CA, so
// every handshake below also proves the served certificate chain and names are right.
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestPki } from './helpers/pki.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

function get(port: number, path: string, ca: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', port, path, ca, servername: 'localhost', headers, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

/** The subject CN of the certificate a handshake with this SNI name gets (undefined: no SNI). */
async function servedCn(port: number, ca: string, servername: string | undefined): Promise<string> {
  const socket = tls.connect({ host: '127.0.0.1', port, ca, servername, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
  await once(socket, 'secureConnect');
  const cn = socket.getPeerCertificate().subject.CN;
  socket.destroy();
  return Array.isArray(cn) ? cn.join(',') : (cn ?? '');
}

describe('TLS on the public port', () => {
  const pki = new TestPki();
  const main = pki.issue({ names: ['localhost', '127.0.0.1'] });
  const api = pki.issue({ names: ['api.test'] });
  const wild = pki.issue({ names: ['*.wild.test'], stem: 'wild' });
  let upstream: Upstream;
  let wsServer: http.Server;
  let wss: WebSocketServer;
  let proxy: TestProxy;
  const seen: http.IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    upstream = await startUpstream((req, res) => {
      seen.push(req.headers);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ from: 'upstream', path: req.url }));
    });
    wsServer = http.createServer((_req, res) => res.end('plain'));
    wss = new WebSocketServer({ server: wsServer });
    wss.on('connection', (ws, req) => ws.on('message', (data) => ws.send(`echo ${req.headers['x-forwarded-proto']}: ${data}`)));
    wsServer.listen(0, '127.0.0.1');
    await once(wsServer, 'listening');
    proxy = await startProxy(
      'server:\n' +
        `  headersTimeoutMs: 400\n` +
        `  tls:\n    cert: ${main.certFile}\n    key: ${main.keyFile}\n` +
        `    certificates:\n      - { cert: ${api.certFile}, key: ${api.keyFile} }\n      - { cert: ${wild.certFile}, key: ${wild.keyFile} }\n` +
        upstreamsYaml({ app: upstream.url, ws: `http://127.0.0.1:${(wsServer.address() as AddressInfo).port}` }) +
        'routes:\n  - { prefix: /app, upstream: app }\n  - { prefix: /live, upstream: ws }\n',
    );
  });
  afterAll(async () => {
    await proxy.close();
    await upstream.close();
    wss.close();
    wsServer.closeAllConnections();
    wsServer.close();
    pki.cleanup();
  });

  it("answers an https client trusting only the private CA with the upstream's answer, sending X-Forwarded-Proto https", async () => {
    const r = await get(proxy.port, '/app/x', pki.ca, { 'x-forwarded-proto': 'http' });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ from: 'upstream', path: '/app/x' });
    // The client's own value is not trusted (trustedProxies 0): the proxy says how it was reached.
    expect(seen.at(-1)!['x-forwarded-proto']).toBe('https');
  });

  it('answers a request no route takes with the JSON 404 over TLS', async () => {
    const r = await get(proxy.port, '/nowhere', pki.ca);
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toMatch(/application\/json/);
    expect(JSON.parse(r.body)).toMatchObject({ error: 'no_route' });
  });

  it('chooses the certificate by SNI among its SAN names: exact, one-label wildcard, any case; else the default', async () => {
    expect(await servedCn(proxy.port, pki.ca, 'api.test')).toBe('api.test');
    expect(await servedCn(proxy.port, pki.ca, 'API.Test')).toBe('api.test');
    expect(await servedCn(proxy.port, pki.ca, 'a.wild.test')).toBe('*.wild.test');
    expect(await servedCn(proxy.port, pki.ca, 'a.b.wild.test')).toBe('localhost');
    expect(await servedCn(proxy.port, pki.ca, 'wild.test')).toBe('localhost');
    expect(await servedCn(proxy.port, pki.ca, 'unknown.test')).toBe('localhost');
    expect(await servedCn(proxy.port, pki.ca, undefined)).toBe('localhost');
  });

  it('upgrades a WebSocket over TLS on the same port (wss)', async () => {
    const ws = new WebSocket(`wss://localhost:${proxy.port}/live/room`, { ca: pki.ca });
    await once(ws, 'open');
    ws.send('hi');
    const [data] = (await once(ws, 'message')) as [Buffer];
    expect(data.toString()).toBe('echo https: hi');
    ws.close();
    await once(ws, 'close');
  });

  it('answers 408 to a TLS client whose headers never finish (headersTimeoutMs holds over TLS)', async () => {
    const socket = tls.connect({ host: '127.0.0.1', port: proxy.port, ca: pki.ca, servername: 'localhost' });
    await once(socket, 'secureConnect');
    socket.write('GET /app/slow HTTP/1.1\r\nHost: localhost\r\n');
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (answer += c));
    await once(socket, 'close');
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('"request_timeout"');
  });

  it('exports each served certificate\'s expiry on the admin port, by file path', async () => {
    const text = await (await fetch(`${proxy.adminUrl}/metrics`)).text();
    for (const file of [main.certFile, api.certFile, wild.certFile]) {
      const m = text.match(new RegExp(`strangler_tls_certificate_expiry_seconds\\{name="${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"\\} (\\d+)`));
      expect(m, file).not.toBeNull();
      const seconds = Number(m![1]);
      // Issued for 30 days by the test CA.
      expect(seconds).toBeGreaterThan(29 * 86_400);
      expect(seconds).toBeLessThanOrEqual(30 * 86_400);
    }
  });
});
