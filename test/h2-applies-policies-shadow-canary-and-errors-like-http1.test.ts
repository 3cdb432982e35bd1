import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClientHttp2Session, IncomingHttpHeaders } from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { answer, hang, refusing, reset, resetting, scripted, type Misbehaving } from './helpers/misbehaving.js';
import { rawUpstream } from './helpers/raw.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { startTlsFront, type TlsFront } from './helpers/h2-front.js';
import { h2Connect, h2Request } from './helpers/h2-client.js';
import { LOG } from '../src/observability/log-messages.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});

async function upstream(handler: http.RequestListener): Promise<Upstream> {
  const u = await startUpstream(handler);
  cleanups.push(() => u.close());
  return u;
}

/** The proxy from `yaml`, its TLS front and one h2 session to it. */
async function front(yaml: string, random?: () => number): Promise<{ proxy: TestProxy; front: TlsFront; s: ClientHttp2Session }> {
  const proxy = await startProxy(yaml, { random });
  cleanups.push(() => proxy.close());
  const f = await startTlsFront(proxy, { random });
  cleanups.push(() => f.close());
  const s = await h2Connect(f.url, f.ca);
  cleanups.push(() => void s.destroy());
  return { proxy, front: f, s };
}

const legacyApp = (req: http.IncomingMessage, res: http.ServerResponse): void => {
  req.resume();
  req.on('end', () => res.end(`legacy: ${req.method} ${req.url}`));
};

describe('HTTP/2 gets what HTTP/1.1 gets', () => {
  it('retries a reset upstream request over h2', async () => {
    const up: Misbehaving = await scripted([reset, answer(200, 'second try')]);
    cleanups.push(() => up.close());
    const { s } = await front(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /r, upstream: app, retry: { attempts: 2, backoffMs: 0, maxBackoffMs: 0, on: [reset] } }\n');
    const a = await h2Request(s, { ':path': '/r/x' });
    expect(a.status).toBe(200);
    expect(a.body.toString()).toBe('second try');
    expect(up.arrivals).toHaveLength(2);
  });

  it('falls back to the legacy upstream over h2 when the new one is unreachable', async () => {
    const gone = await refusing();
    const legacy = await upstream(legacyApp);
    const { s, proxy } = await front(upstreamsYaml({ users: gone.url, legacy: legacy.url }) + 'routes:\n  - { prefix: /users, upstream: users, fallback: legacy }\n');
    const a = await h2Request(s, { ':path': '/users/1', 'x-request-id': 'h2-fb' });
    expect(a.status).toBe(200);
    expect(a.headers['x-strangler-fallback']).toBe('legacy');
    expect(a.body.toString()).toBe('legacy: GET /users/1');
    expect(await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'h2-fb')).toMatchObject({ status: 200, upstream: 'legacy' });
  });

  it('answers an unreachable upstream with the JSON 502 over h2', async () => {
    const r: Misbehaving = await resetting();
    cleanups.push(() => r.close());
    const { s } = await front(upstreamsYaml({ app: r.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    const a = await h2Request(s, { ':path': '/boom', 'x-request-id': 'h2-502' });
    expect(a.status).toBe(502);
    expect(JSON.parse(a.body.toString())).toMatchObject({ error: 'upstream_unavailable', requestId: 'h2-502' });
  });

  it('mirrors an h2 request to the shadow upstream', async () => {
    const legacy = await upstream(legacyApp);
    const mirror = await upstream(legacyApp);
    const { s } = await front(upstreamsYaml({ legacy: legacy.url, next: mirror.url }) + 'routes:\n  - { prefix: /orders, upstream: legacy, shadow: { upstream: next } }\n');
    const arrived = once(mirror.server, 'request');
    const a = await h2Request(s, { ':path': '/orders/7' });
    expect(a.body.toString()).toBe('legacy: GET /orders/7');
    const [req] = (await arrived) as [http.IncomingMessage];
    expect(req.url).toBe('/orders/7');
    expect(req.headers['x-forwarded-proto']).toBe('https');
  });

  it('sends an h2 request to the canary by the split', async () => {
    const legacy = await upstream((_q, r) => r.end('legacy'));
    const canary = await upstream((_q, r) => r.end('canary'));
    const { s } = await front(upstreamsYaml({ legacy: legacy.url, users: canary.url }) + 'routes:\n  - prefix: /users\n    upstream: legacy\n    canary: { upstream: users, percent: 50 }\n', () => 0.1);
    expect((await h2Request(s, { ':path': '/users/1' })).body.toString()).toBe('canary');
  });

  it('forwards 103 Early Hints before the final response over h2', async () => {
    const up = await rawUpstream({ '/hints': 'HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok' });
    cleanups.push(() => new Promise<void>((resolve) => up.close(() => resolve())));
    const { s } = await front(upstreamsYaml({ app: `http://127.0.0.1:${(up.address() as AddressInfo).port}` }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    const req = s.request({ ':path': '/hints' });
    const [hints] = (await once(req, 'headers')) as [IncomingHttpHeaders];
    expect(hints[':status']).toBe(103);
    expect(hints.link).toBe('</style.css>; rel=preload');
    const [final] = (await once(req, 'response')) as [IncomingHttpHeaders];
    expect(final[':status']).toBe(200);
    let body = '';
    for await (const c of req) body += c;
    expect(body).toBe('ok');
  });

  it('a client cancelling one stream mid-response aborts its upstream request, logs client_closed, and the session serves on', async () => {
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((r) => (upstreamClosed = r));
    const up = await upstream((req, res) => {
      if (req.url === '/other') return void res.end('still here');
      res.writeHead(200);
      res.write('first part');
      res.on('close', upstreamClosed); // never ended by the upstream: only the proxy's abort closes it
    });
    const { s, proxy } = await front(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    const req = s.request({ ':path': '/long', 'x-request-id': 'h2-cancel' });
    const [chunk] = (await once(req, 'data')) as [Buffer];
    expect(chunk.toString()).toBe('first part');
    req.close(8); // NGHTTP2_CANCEL
    await closed;
    expect(await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'h2-cancel')).toMatchObject({ error: 'client_closed' });
    expect((await h2Request(s, { ':path': '/other' })).body.toString()).toBe('still here');
  });

  it('answers a stalled h2 upload 408 when idleTimeoutMs passes, on its own stream', async () => {
    const up = await upstream((req, res) => {
      req.resume();
      req.on('end', () => res.end('complete'));
    });
    const { s } = await front(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app, idleTimeoutMs: 300 }\n');
    const req = s.request({ ':method': 'POST', ':path': '/upload', 'x-request-id': 'h2-stall' });
    req.write('a first part, then nothing');
    const [head] = (await once(req, 'response')) as [IncomingHttpHeaders];
    expect(head[':status']).toBe(408);
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    await once(req, 'close'); // the stream ends with RST_STREAM NO_ERROR: the rest of the upload is not wanted
    expect(req.rstCode).toBe(0);
    expect(JSON.parse(body)).toMatchObject({ error: 'request_timeout', requestId: 'h2-stall' });
    expect((await h2Request(s, { ':path': '/next', ':method': 'POST' }, 'x')).body.toString()).toBe('complete');
  });

  it('a hung upstream keeps only its own stream waiting', async () => {
    const up: Misbehaving = await scripted((a) => (a.url === '/hang' ? hang : answer(200, 'quick')));
    cleanups.push(() => up.close());
    const { s } = await front(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    s.request({ ':path': '/hang' }).on('error', () => {});
    await up.arrival(1);
    expect((await h2Request(s, { ':path': '/quick' })).body.toString()).toBe('quick');
  });
});
