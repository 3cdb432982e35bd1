// server.tls with http2 (the default): the public port offers h2 and http/1.1 by ALPN, and an
// HTTP/2 client gets what an HTTP/1.1 client gets, through the proxy as bootstrap wires it.
// `http2: false` offers http/1.1 only. Shutdown says GOAWAY to open sessions and completes.
import http2 from 'node:http2';
import tls from 'node:tls';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LOG } from '../src/observability/log-messages.js';
import { TestPki } from './helpers/pki.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

const pki = new TestPki();
const leaf = pki.issue({ names: ['localhost', '127.0.0.1'] });
afterAll(() => pki.cleanup());

let upstream: Upstream | undefined;
let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await upstream?.close();
  proxy = upstream = undefined;
});

async function start(http2Key: string): Promise<TestProxy> {
  upstream = await startUpstream((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: req.url, proto: req.headers['x-forwarded-proto'], host: req.headers['host'], version: req.httpVersion }));
  });
  return startProxy(
    `server:\n  tls: { cert: ${leaf.certFile}, key: ${leaf.keyFile} }\n${http2Key}` + upstreamsYaml({ app: upstream.url }) + 'routes:\n  - { prefix: /app, upstream: app }\n',
  );
}

async function alpn(port: number): Promise<string | false | null> {
  const socket = tls.connect({ host: '127.0.0.1', port, ca: pki.ca, servername: 'localhost', ALPNProtocols: ['h2', 'http/1.1'] });
  await once(socket, 'secureConnect');
  const chosen = socket.alpnProtocol;
  socket.destroy();
  return chosen;
}

describe('HTTP/2 on the TLS port', () => {
  it('offers h2 by ALPN; an HTTP/2 client gets the upstream answer, the access line and a JSON error like HTTP/1.1', async () => {
    proxy = await start('');
    expect(await alpn(proxy.port)).toBe('h2');
    const session = http2.connect(`https://localhost:${proxy.port}`, { ca: pki.ca });
    session.on('error', () => {});
    const ask = (path: string): Promise<{ status: number; headers: http2.IncomingHttpHeaders; body: string }> =>
      new Promise((resolve, reject) => {
        const stream = session.request({ ':path': path, 'x-request-id': `h2-${path.length}` });
        let body = '';
        let headers: http2.IncomingHttpHeaders = {};
        stream.setEncoding('utf8');
        stream.on('response', (h) => (headers = h));
        stream.on('data', (c: string) => (body += c));
        stream.on('end', () => resolve({ status: Number(headers[':status']), headers, body }));
        stream.on('error', reject);
      });
    const ok = await ask('/app/users?x=1');
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ path: '/app/users?x=1', proto: 'https', host: `localhost:${proxy.port}`, version: '1.1' });
    const none = await ask('/nowhere');
    expect(none.status).toBe(404);
    expect(JSON.parse(none.body)).toMatchObject({ error: 'no_route', requestId: 'h2-8' });
    expect(await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'h2-8')).toMatchObject({ status: 404, error: 'no_route' });
    session.close();
  });

  it('curl --http2 speaks HTTP/2 to it', async () => {
    proxy = await start('');
    const { stdout } = await promisify(execFile)('curl', ['--http2', '--cacert', pki.caFile, '-sS', '-D', '-', `https://localhost:${proxy.port}/app/curl`]);
    expect(stdout).toMatch(/^HTTP\/2 200/);
    expect(stdout).toContain('"proto":"https"');
  });

  it('http2: false offers http/1.1 only', async () => {
    proxy = await start('  http2: false\n');
    expect(await alpn(proxy.port)).toBe('http/1.1');
  });

  it('shutdown with an idle HTTP/2 session open completes (GOAWAY, then the session closes)', async () => {
    proxy = await start('');
    const session = http2.connect(`https://localhost:${proxy.port}`, { ca: pki.ca });
    session.on('error', () => {});
    const closed = new Promise<void>((resolve) => session.on('close', () => resolve()));
    const stream = session.request({ ':path': '/app/one' });
    stream.resume();
    await once(stream, 'end');
    await proxy.close();
    proxy = undefined;
    await closed;
    expect(session.closed || session.destroyed).toBe(true);
  });
});
