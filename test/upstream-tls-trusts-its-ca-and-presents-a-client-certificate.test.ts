// An https upstream's `tls:`: `ca` trusted besides the system's CAs, a client certificate for
// mTLS, `servername` for SNI and the name checked, `insecureSkipVerify` (warned at every load).
// The upstreams are real node:https servers with certificates from the tests' private CA.
import https from 'node:https';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { request } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LOG } from '../src/observability/log-messages.js';
import { TestPki } from './helpers/pki.js';
import { startProxy, type TestProxy } from './helpers/servers.js';

const pki = new TestPki();
const otherCa = new TestPki('another CA');
const serverCert = pki.issue({ names: ['users.internal', '127.0.0.1'] });
const namedOnly = pki.issue({ names: ['orders.internal'], stem: 'orders-only' });
const client = pki.issue({ names: ['strangler'], client: true, stem: 'client' });
const strangerClient = otherCa.issue({ names: ['stranger'], client: true, stem: 'stranger' });
afterAll(() => {
  pki.cleanup();
  otherCa.cleanup();
});

let proxy: TestProxy | undefined;
const servers: https.Server[] = [];
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  for (const s of servers.splice(0)) s.closeAllConnections(), s.close();
});

/** An https upstream answering who connected: the SNI name and the client certificate's CN. */
async function httpsUpstream(cert: { cert: string; key: string }, requireClientCert = false): Promise<string> {
  const server = https.createServer(
    { cert: cert.cert, key: cert.key, ...(requireClientCert ? { requestCert: true, rejectUnauthorized: true, ca: pki.ca } : {}) },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      const peer = socket.getPeerCertificate();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ sni: socket.servername, client: peer?.subject?.CN ?? null, path: req.url, host: req.headers.host, port: socket.remotePort }));
    },
  );
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const yaml = (url: string, tls: string): string =>
  `upstreams:\n  users:\n    url: ${url}\n${tls ? `    tls:\n${tls.replace(/^/gm, '      ')}\n` : ''}routes:\n  - { prefix: /users, upstream: users, timeoutMs: 3000 }\n`;

describe('upstream tls', () => {
  it('trusts the CA given in tls.ca: 200 through an https upstream', async () => {
    const url = await httpsUpstream(serverCert);
    proxy = await startProxy(yaml(url, `ca: ${pki.caFile}`));
    const res = await fetch(`${proxy.url}/users/1`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ path: '/users/1' });
  });

  it('without tls.ca the private certificate is refused: 502 naming the certificate problem', async () => {
    const url = await httpsUpstream(serverCert);
    proxy = await startProxy(yaml(url, ''));
    const res = await fetch(`${proxy.url}/users/1`);
    expect(res.status).toBe(502);
    expect((await res.json()) as { message: string }).toMatchObject({ error: 'upstream_unavailable', message: expect.stringMatching(/certificate/) });
    const line = await proxy.logLine((l) => l.msg === LOG.request && l.status === 502);
    expect(line).toMatchObject({ error: 'upstream_unavailable' });
  });

  it('presents the client certificate to an upstream that requires one (mTLS), and is refused without it', async () => {
    const url = await httpsUpstream(serverCert, true);
    proxy = await startProxy(yaml(url, `ca: ${pki.caFile}\ncert: ${client.certFile}\nkey: ${client.keyFile}`));
    const ok = await fetch(`${proxy.url}/users/me`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ client: 'strangler' });
    await proxy.close();

    proxy = await startProxy(yaml(url, `ca: ${pki.caFile}\ncert: ${strangerClient.certFile}\nkey: ${strangerClient.keyFile}`));
    expect((await fetch(`${proxy.url}/users/me`)).status).toBe(502); // a certificate from a CA the upstream does not trust
  });

  it('servername: sent as SNI and checked against the certificate when the URL names an address', async () => {
    const url = await httpsUpstream(namedOnly); // its certificate names orders.internal only
    proxy = await startProxy(yaml(url, `ca: ${pki.caFile}`));
    expect((await fetch(`${proxy.url}/users/1`)).status).toBe(502); // 127.0.0.1 is not in the certificate
    await proxy.close();

    proxy = await startProxy(yaml(url, `ca: ${pki.caFile}\nservername: orders.internal`));
    const res = await fetch(`${proxy.url}/users/1`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sni: 'orders.internal' });
  });

  it('insecureSkipVerify: any certificate is accepted, and every load says so loudly', async () => {
    const url = await httpsUpstream(otherCa.issue({ names: ['127.0.0.1'], stem: 'untrusted' }));
    proxy = await startProxy(yaml(url, 'insecureSkipVerify: true'));
    expect((await fetch(`${proxy.url}/users/1`)).status).toBe(200);
    expect(proxy.logs.filter((l) => l.msg === LOG.upstreamTlsUnverified)).toEqual([expect.objectContaining({ level: 'warn', upstream: 'users' })]);
  });

  it("the SNI name is the upstream's own, never the client's Host (preserveHost), and a change of Host keeps the connection", async () => {
    const url = (await httpsUpstream(namedOnly)).replace('127.0.0.1', 'localhost');
    const localhostCert = pki.issue({ names: ['localhost'], stem: 'localhost-only' });
    const byName = (await httpsUpstream(localhostCert)).replace('127.0.0.1', 'localhost');
    proxy = await startProxy(
      `upstreams:\n  users:\n    url: ${url}\n    tls: { ca: ${pki.caFile}, servername: orders.internal }\n` +
        `  byname:\n    url: ${byName}\n    tls: { ca: ${pki.caFile} }\n` +
        'routes:\n  - { prefix: /users, upstream: users }\n  - { prefix: /named, upstream: byname }\n',
    );
    const ask = async (path: string, host: string) => {
      const res = await request(`${proxy!.url}${path}`, { headers: { host } }); // fetch would not send this Host
      return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
    };
    const a = await ask('/users/1', 'api.example.com');
    expect(a).toMatchObject({ status: 200, body: { sni: 'orders.internal', host: 'api.example.com' } });
    const b = await ask('/users/2', 'shop.example.com');
    expect(b).toMatchObject({ status: 200, body: { sni: 'orders.internal', host: 'shop.example.com' } });
    expect(b.body.port).toBe(a.body.port); // the same upstream connection: no reconnect for another Host
    // Without tls.servername: the URL's host name.
    expect(await ask('/named/1', 'api.example.com')).toMatchObject({ status: 200, body: { sni: 'localhost', host: 'api.example.com' } });
  });
});
