// Tracing beyond the plain request (issue 15): a shadow copy's span is LINKED to the request's
// server span (its own trace, sampled with the request); a forward-auth subrequest is a client
// span under the server span and its traceparent reaches the auth upstream; requests refused
// before forwarding (the gate's 401, no route's 404) still get their server span; a WebSocket
// upgrade gets a server and a client span ending with the handshake (not the tunnel); an h2
// request's server span says network.protocol.version 2.

import { afterEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver.js';
import { forwardAuthYaml, startAuthMonolith, startEcho } from './helpers/auth-monolith.js';
import { h2Connect, h2Request } from './helpers/h2-client.js';
import { startTlsFront } from './helpers/h2-front.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const r of open.splice(0).reverse()) await r.close();
});

const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;
const CLIENT_TID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_PID = '00f067aa0ba902b7';

async function keep<T extends { close(): Promise<void> }>(x: Promise<T>): Promise<T> {
  const v = await x;
  open.push(v);
  return v;
}

const tracingYaml = (r: OtlpReceiver, extra = ''): string => `server:\n  tracing:\n    otlpEndpoint: ${r.url}\n    protocol: http/json\n${extra}`;
const proxy = (yaml: string): Promise<TestProxy> => keep(startProxy(yaml, { traceDelayMs: 5 }));
const only = (spans: readonly ReceivedSpan[], f: (s: ReceivedSpan) => boolean): ReceivedSpan => {
  const got = spans.filter(f);
  expect(got).toHaveLength(1);
  return got[0]!;
};

describe('tracing, beyond the plain request', () => {
  it("a shadow copy's span is its own trace, linked to the request's server span, with the comparison's result; sampled with its request", async () => {
    const r = await keep(startOtlpReceiver());
    const legacy = await keep(startUpstream((_req, res) => res.end('{"a":1}')));
    const next = await keep(startUpstream((_req, res) => res.end('{"a":2}')));
    // sampleRatio 0: only the client's sampled traceparent makes this request (and its copy) traced.
    const p = await proxy(tracingYaml(r, '    sampleRatio: 0\n') + upstreamsYaml({ legacy: legacy.url, next: next.url }) + 'routes:\n  - { prefix: /orders, upstream: legacy, shadow: { upstream: next } }\n');
    const res = await fetch(`${p.url}/orders/7`, { headers: { traceparent: `00-${CLIENT_TID}-${CLIENT_PID}-01` } });
    expect(await res.text()).toBe('{"a":1}');
    const spans = await r.waitForSpans(3);
    const server = only(spans, (s) => s.kind === SERVER);
    const attempt = only(spans, (s) => s.kind === CLIENT && s.traceId === CLIENT_TID);
    const copy = only(spans, (s) => s.traceId !== CLIENT_TID);
    expect(attempt.parentSpanId).toBe(server.spanId);
    expect(copy).toMatchObject({ name: 'GET next (shadow)', parentSpanId: '', kind: CLIENT, links: [{ traceId: CLIENT_TID, spanId: server.spanId }] });
    expect(copy.attributes).toMatchObject({
      'strangler.shadow.result': 'mismatch',
      'strangler.shadow.differences': 1,
      'strangler.upstream': 'next',
      'strangler.route': '/orders',
      'http.response.status_code': 200,
      'url.path': '/orders/7',
      'server.port': next.port,
    });
    // The shadow upstream is told the copy's span; the primary its attempt's.
    expect(next.received[0]!.headers.traceparent).toBe(`00-${copy.traceId}-${copy.spanId}-01`);
    expect(legacy.received[0]!.headers.traceparent).toBe(`00-${CLIENT_TID}-${attempt.spanId}-01`);

    // A request that is not sampled: no span for it, nor for its copy.
    await (await fetch(`${p.url}/orders/8`)).text();
    await p.logLine((l) => l.msg === 'request' && l.path === '/orders/8');
    await (await fetch(`${p.url}/orders/9`, { headers: { traceparent: `00-${CLIENT_TID.replace('4', '5')}-${CLIENT_PID}-01` } })).text();
    const after = await r.waitForSpans(6);
    expect(after.filter((s) => s.attributes['url.path'] === '/orders/8')).toEqual([]);
    expect(after.filter((s) => s.attributes['url.path'] === '/orders/9')).toHaveLength(2); // the server span and the copy's
  });

  it("a shadow copy that fails: its span's status is error, result shadow_error", async () => {
    const r = await keep(startOtlpReceiver());
    const legacy = await keep(startUpstream((_req, res) => res.end('ok')));
    const next = await keep(startUpstream((req) => req.socket.destroy()));
    const p = await proxy(tracingYaml(r) + upstreamsYaml({ legacy: legacy.url, next: next.url }) + 'routes:\n  - { prefix: /, upstream: legacy, shadow: { upstream: next } }\n');
    await (await fetch(`${p.url}/x`)).text();
    const spans = await r.waitForSpans(3);
    const copy = only(spans, (s) => s.name === 'GET next (shadow)');
    expect(copy.attributes).toMatchObject({ 'strangler.shadow.result': 'shadow_error', 'strangler.shadow.reason': 'reset' });
    expect(copy.status.code).toBe(ERROR);
  });

  it('a forward-auth subrequest is a client span under the server span; the auth upstream gets its traceparent; a refusal keeps its server span', async () => {
    const r = await keep(startOtlpReceiver());
    const monolith = await keep(startAuthMonolith());
    const echo = await keep(startEcho());
    const p = await proxy(tracingYaml(r) + forwardAuthYaml(monolith.url, echo.url));
    // Not signed in: the monolith's 401 is passed on; no request reaches echo.
    const refused = await fetch(`${p.url}/api/me`);
    expect(refused.status).toBe(401);
    await refused.text();
    let spans = await r.waitForSpans(2);
    const server = only(spans, (s) => s.kind === SERVER);
    const auth = only(spans, (s) => s.kind === CLIENT);
    expect(server).toMatchObject({ name: 'GET /api', status: { code: ERROR } });
    expect(server.attributes).toMatchObject({ 'http.response.status_code': 401, 'strangler.error': 'unauthorized', 'http.route': '/api' });
    expect(auth).toMatchObject({ traceId: server.traceId, parentSpanId: server.spanId, name: 'GET legacy (forward-auth legacy-session)' });
    expect(auth.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.response.status_code': 401, 'strangler.upstream': 'legacy', 'strangler.authenticator': 'legacy-session', 'url.path': '/auth/whoami', 'server.port': monolith.port });
    expect(monolith.whoami[0]!.traceparent).toBe(`00-${server.traceId}-${auth.spanId}-01`);
    expect((await p.logLine((l) => l.msg === 'request' && l.status === 401)).traceId).toBe(server.traceId);

    // Signed in: the auth call and the forwarded request are sibling client spans.
    const cookie = await monolith.login('ada');
    expect((await fetch(`${p.url}/api/me`, { headers: { cookie } })).status).toBe(200);
    spans = (await r.waitForSpans(5)).slice(2);
    const server2 = only(spans, (s) => s.kind === SERVER);
    expect(server2.attributes['http.response.status_code']).toBe(200);
    const clients = spans.filter((s) => s.kind === CLIENT);
    expect(clients.map((s) => s.name).sort()).toEqual(['GET echo', 'GET legacy (forward-auth legacy-session)']);
    for (const c of clients) expect(c.parentSpanId).toBe(server2.spanId);
    expect(monolith.whoami[1]!.traceparent).toBe(`00-${server2.traceId}-${clients.find((c) => c.name !== 'GET echo')!.spanId}-01`);
  });

  it('a request no route takes gets a server span: 404, strangler.error no_route, no http.route', async () => {
    const r = await keep(startOtlpReceiver());
    const legacy = await keep(startUpstream((_req, res) => res.end('ok')));
    const p = await proxy(tracingYaml(r) + upstreamsYaml({ legacy: legacy.url }) + 'routes:\n  - { prefix: /api, upstream: legacy }\n');
    expect((await fetch(`${p.url}/nowhere`)).status).toBe(404);
    const [span] = await r.waitForSpans(1);
    expect(span).toMatchObject({ kind: SERVER, name: 'GET', status: { code: ERROR } });
    expect(span!.attributes).toMatchObject({ 'http.response.status_code': 404, 'strangler.error': 'no_route', 'url.path': '/nowhere' });
    expect(span!.attributes['http.route']).toBeUndefined();
  });

  it('a WebSocket upgrade: a server span and a handshake client span, both ended at the 101 while the tunnel is still open', async () => {
    const r = await keep(startOtlpReceiver());
    const server = http.createServer();
    const wss = new WebSocketServer({ server });
    const seen: http.IncomingHttpHeaders[] = [];
    wss.on('connection', (ws, req) => {
      seen.push(req.headers);
      ws.on('message', (m) => ws.send(`echo ${String(m)}`));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    open.push({ close: async () => void (wss.close(), server.closeAllConnections(), server.close()) });
    const port = (server.address() as AddressInfo).port;
    const p = await proxy(tracingYaml(r) + upstreamsYaml({ app: `http://127.0.0.1:${port}` }) + 'routes:\n  - { prefix: /ws, upstream: app }\n');
    const ws = new WebSocket(`ws://127.0.0.1:${p.port}/ws/chat`);
    await once(ws, 'open');
    const spans = await r.waitForSpans(2); // (the tunnel is open: the spans did not wait for it)
    const s = only(spans, (x) => x.kind === SERVER);
    const c = only(spans, (x) => x.kind === CLIENT);
    expect(s).toMatchObject({ name: 'GET /ws', status: { code: 0 } });
    expect(s.attributes).toMatchObject({ 'http.response.status_code': 101, 'strangler.upgrade': 'websocket', 'strangler.upstream': 'app' });
    expect(c).toMatchObject({ traceId: s.traceId, parentSpanId: s.spanId, name: 'GET app' });
    expect(c.attributes).toMatchObject({ 'http.response.status_code': 101, 'strangler.upgrade': true, 'server.port': port });
    expect(seen[0]!.traceparent).toBe(`00-${s.traceId}-${c.spanId}-01`);
    ws.send('hi');
    const [m] = (await once(ws, 'message')) as [Buffer];
    expect(String(m)).toBe('echo hi');
    ws.close();
    await once(ws, 'close');
    const line = await p.logLine((l) => l.msg === 'request' && l.status === 101);
    expect(line.traceId).toBe(s.traceId);
  });

  /** One h2 request (over TLS, with a sampled client parent) to a traced proxy's /api route: its
   *  answer's status, its server and client spans, and the upstream. */
  async function tracedH2(headers: Record<string, string>): Promise<{ status: number; s: ReceivedSpan; c: ReceivedSpan; legacy: Upstream }> {
    const r = await keep(startOtlpReceiver());
    const legacy: Upstream = await keep(startUpstream((_req, res) => res.end('ok')));
    const p = await proxy(tracingYaml(r) + upstreamsYaml({ legacy: legacy.url }) + 'routes:\n  - { prefix: /api, upstream: legacy }\n');
    const front = await keep(startTlsFront(p));
    const session = await h2Connect(front.url, front.ca);
    let status: number;
    try {
      status = (await h2Request(session, { ...headers, traceparent: `00-${CLIENT_TID}-${CLIENT_PID}-01` })).status;
    } finally {
      session.close();
    }
    const spans = await r.waitForSpans(2);
    return { status, s: only(spans, (x) => x.kind === SERVER), c: only(spans, (x) => x.kind === CLIENT), legacy };
  }

  it('an h2 request with a made-up method: its spans say _OTHER, keep the method in http.request.method_original, and are named HTTP', async () => {
    const { status, s, c } = await tracedH2({ ':method': 'X12345', ':path': '/api/odd' });
    expect(status).toBeGreaterThan(0);
    expect(s.name).toBe('HTTP /api');
    expect(c.name).toBe('HTTP legacy');
    for (const x of [s, c]) expect(x.attributes).toMatchObject({ 'http.request.method': '_OTHER', 'http.request.method_original': 'X12345' });
  });

  it("an h2 request's server span says network.protocol.version 2; its attempt goes out over 1.1", async () => {
    const { status, s, c, legacy } = await tracedH2({ ':path': '/api/h2' });
    expect(status).toBe(200);
    expect(s).toMatchObject({ traceId: CLIENT_TID, parentSpanId: CLIENT_PID, name: 'GET /api' });
    expect(s.attributes).toMatchObject({ 'network.protocol.version': '2', 'http.response.status_code': 200, 'url.path': '/api/h2' });
    expect(c).toMatchObject({ parentSpanId: s.spanId });
    expect(c.attributes['network.protocol.version']).toBe('1.1');
    expect(legacy.received[0]!.headers.traceparent).toBe(`00-${CLIENT_TID}-${c.spanId}-01`);
  });
});
