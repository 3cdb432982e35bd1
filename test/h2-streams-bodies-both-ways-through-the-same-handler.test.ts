import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientHttp2Session } from 'node:http2';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { startTlsFront, type TlsFront } from './helpers/h2-front.js';
import { h2Connect, h2Request } from './helpers/h2-client.js';

let up: Upstream | undefined;
let proxy: TestProxy | undefined;
let front: TlsFront | undefined;
let session: ClientHttp2Session | undefined;
afterEach(async () => {
  session?.destroy();
  await front?.close();
  await proxy?.close();
  await up?.close();
  session = front = proxy = up = undefined;
});

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function setup(handler: http.RequestListener): Promise<ClientHttp2Session> {
  up = await startUpstream(handler);
  proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
  front = await startTlsFront(proxy);
  session = await h2Connect(front.url, front.ca);
  return session;
}

describe('HTTP/2 through the same handler', () => {
  it('streams a 1 MB upload and a 1 MB download over h2, and the upstream sees plain HTTP/1.1 headers', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on('warning', onWarning);
    const download = randomBytes(1 << 20);
    const s = await setup((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-upload-sha': sha(Buffer.concat(chunks)) });
        res.end(download);
      });
    });
    const upload = randomBytes(1 << 20);
    // No Content-Length: HTTP/2 frames the body with DATA frames alone.
    const answer = await h2Request(s, { ':method': 'POST', ':path': '/upload?x=1', cookie: ['a=1', 'b=2'], 'x-custom': 'yes' }, upload);
    expect(answer.status).toBe(200);
    expect(answer.headers['x-upload-sha']).toBe(sha(upload));
    expect(answer.body.length).toBe(download.length);
    expect(sha(answer.body)).toBe(sha(download));
    const seen = up!.received[0]!;
    expect(seen.url).toBe('/upload?x=1');
    expect(seen.rawHeaders.filter((_, i) => i % 2 === 0).some((n) => n.startsWith(':'))).toBe(false);
    expect(seen.headers.host).toBe(`localhost:${front!.port}`);
    expect(seen.headers['x-forwarded-host']).toBe(`localhost:${front!.port}`);
    expect(seen.headers['x-forwarded-proto']).toBe('https');
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.headers['x-custom']).toBe('yes');
    expect(seen.headers.cookie).toBe('a=1; b=2');
    expect(seen.headers['x-request-id']).toBe(answer.headers['x-request-id']);
    process.off('warning', onWarning);
    expect(warnings.filter((w) => w.name === 'UnsupportedWarning')).toEqual([]); // no status message written
  });

  it('answers an unmatched path with the JSON 404 and its request id over h2', async () => {
    up = await startUpstream((_req, res) => res.end('never'));
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /api, upstream: app }\n');
    front = await startTlsFront(proxy);
    session = await h2Connect(front.url, front.ca);
    const answer = await h2Request(session, { ':path': '/nowhere', 'x-request-id': 'req-404-h2' });
    expect(answer.status).toBe(404);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.headers['x-request-id']).toBe('req-404-h2');
    expect(JSON.parse(answer.body.toString())).toMatchObject({ error: 'no_route', requestId: 'req-404-h2' });
    expect(up.received).toHaveLength(0);
    const line = await proxy.logLine((l) => l.requestId === 'req-404-h2');
    expect(line).toMatchObject({ status: 404, error: 'no_route' });
  });

  it('serves many concurrent streams on one session', async () => {
    const s = await setup((req, res) => res.end(`echo ${req.url}`));
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => h2Request(s, { ':path': `/n/${i}` })));
    expect(answers.map((a) => a.body.toString())).toEqual(Array.from({ length: 50 }, (_, i) => `echo /n/${i}`));
    expect(front!.h2.sessions).toBe(1);
  });

  it('relays an upstream answer carrying Connection, Keep-Alive and Transfer-Encoding without breaking the h2 response', async () => {
    const s = await setup((_req, res) => {
      res.writeHead(200, { connection: 'close, x-hop', 'keep-alive': 'timeout=5', 'transfer-encoding': 'chunked', 'x-hop': 'drop me', 'x-end': 'keep' });
      res.write('part one, ');
      res.end('part two');
    });
    const answer = await h2Request(s, { ':path': '/hop' });
    expect(answer.status).toBe(200);
    expect(answer.body.toString()).toBe('part one, part two');
    expect(answer.headers['x-end']).toBe('keep');
    for (const name of ['connection', 'keep-alive', 'transfer-encoding', 'x-hop']) expect(answer.headers[name]).toBeUndefined();
  });

  it('HTTP/1.1 over the same TLS port gets X-Forwarded-Proto https too', async () => {
    await setup((req, res) => res.end(String(req.headers['x-forwarded-proto'])));
    const body = await new Promise<string>((resolve, reject) => {
      https.get(front!.url + '/p', { ca: front!.ca }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(text));
      }).on('error', reject);
    });
    expect(body).toBe('https');
  });
});
