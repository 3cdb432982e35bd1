// server.tracing: a SERVER span per request and a CLIENT span per upstream attempt, exported over
// OTLP/HTTP (JSON and protobuf) to a receiver in the test; the upstream gets a traceparent naming
// the attempt span; tracing off leaves traceparent alone.

import { afterEach, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { closedPort, startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  // The proxy first: its shutdown exports what is queued to a receiver still listening.
  for (const r of open.splice(0).reverse()) await r.close();
});

const SERVER = 2;
const CLIENT = 3;
const CLIENT_TID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_PID = '00f067aa0ba902b7';

async function upstream(handler?: Parameters<typeof startUpstream>[0]): Promise<Upstream> {
  const u = await startUpstream(handler ?? ((_req, res) => res.end('ok')));
  open.push(u);
  return u;
}

async function receiver(): Promise<OtlpReceiver> {
  const r = await startOtlpReceiver();
  open.push(r);
  return r;
}

function tracingYaml(r: OtlpReceiver, extra = ''): string {
  return `server:\n  tracing:\n    otlpEndpoint: ${r.url}\n${extra}`;
}

// (No file watcher: the reload test reloads by hand, and a watcher's reload of the same write
// would make its own answer "unchanged".)
async function proxy(yaml: string): Promise<TestProxy> {
  const p = await startProxy(yaml, { traceDelayMs: 5, watch: false });
  open.push(p);
  return p;
}

const header = (req: IncomingMessage | undefined, name: string): string | undefined => req?.headers[name] as string | undefined;
const byKind = (spans: readonly ReceivedSpan[], kind: number): ReceivedSpan[] => spans.filter((s) => s.kind === kind);

describe('tracing', () => {
  for (const protocol of ['http/json', 'http/protobuf'] as const) {
    it(`a plain request: a server span and one client span under it, exported as ${protocol}; the upstream's parent is the client span`, async () => {
      const r = await receiver();
      const legacy = await upstream();
      const p = await proxy(tracingYaml(r, `    protocol: ${protocol}\n    serviceName: edge\n`) + upstreamsYaml({ legacy: legacy.url }) + 'routes:\n  - { prefix: /api, upstream: legacy }\n');
      const res = await fetch(`${p.url}/api/x?y=1`);
      expect(res.status).toBe(200);
      await res.text();
      const spans = await r.waitForSpans(2);
      expect(r.requests[0]).toContain(protocol === 'http/json' ? 'application/json' : 'application/x-protobuf');
      const [server] = byKind(spans, SERVER);
      const [client] = byKind(spans, CLIENT);
      expect(server).toMatchObject({ service: 'edge', name: 'GET /api', parentSpanId: '', status: { code: 0 } });
      expect(server!.attributes).toMatchObject({
        'http.request.method': 'GET',
        'http.route': '/api',
        'url.path': '/api/x',
        'http.response.status_code': 200,
        'server.address': '127.0.0.1',
        'server.port': p.port,
        'network.protocol.version': '1.1',
        'strangler.canary': false,
      });
      expect(client).toMatchObject({ traceId: server!.traceId, parentSpanId: server!.spanId, name: 'GET legacy' });
      expect(client!.attributes).toMatchObject({
        'http.request.method': 'GET',
        'http.response.status_code': 200,
        'server.address': '127.0.0.1',
        'server.port': legacy.port,
        'strangler.upstream': 'legacy',
        'strangler.canary': false,
        'strangler.fallback': false,
      });
      expect(header(legacy.received[0], 'traceparent')).toBe(`00-${server!.traceId}-${client!.spanId}-01`);
      const line = await p.logLine((l) => l.msg === 'request');
      expect(line.traceId).toBe(server!.traceId);
    });
  }

  it("a client's sampled traceparent is the server span's parent; its tracestate is passed on", async () => {
    const r = await receiver();
    const legacy = await upstream();
    const p = await proxy(tracingYaml(r, '    sampleRatio: 0\n') + upstreamsYaml({ legacy: legacy.url }) + 'routes:\n  - { prefix: /, upstream: legacy }\n');
    await (await fetch(`${p.url}/a`, { headers: { traceparent: `00-${CLIENT_TID}-${CLIENT_PID}-01`, tracestate: 'vendor=x' } })).text();
    const spans = await r.waitForSpans(2);
    const [server] = byKind(spans, SERVER);
    const [client] = byKind(spans, CLIENT);
    expect(server).toMatchObject({ traceId: CLIENT_TID, parentSpanId: CLIENT_PID });
    expect(client).toMatchObject({ traceId: CLIENT_TID, parentSpanId: server!.spanId });
    expect(header(legacy.received[0], 'traceparent')).toBe(`00-${CLIENT_TID}-${client!.spanId}-01`);
    expect(header(legacy.received[0], 'tracestate')).toBe('vendor=x');
  });

  it('a request the ratio does not sample, without a traceparent: the upstream gets one traceparent naming the proxy, flag 00', async () => {
    const r = await receiver();
    const legacy = await upstream();
    const p = await proxy(tracingYaml(r, '    sampleRatio: 0\n') + upstreamsYaml({ legacy: legacy.url }) + 'routes:\n  - { prefix: /, upstream: legacy }\n');
    await (await fetch(`${p.url}/unsampled`)).text();
    const traceId = (await p.logLine((l) => l.msg === 'request')).traceId as string;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const raw = legacy.received[0]!.rawHeaders;
    const sent = raw.filter((_v, i) => i % 2 === 0 && raw[i]!.toLowerCase() === 'traceparent').length;
    expect(sent).toBe(1);
    expect(header(legacy.received[0], 'traceparent')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
  });

  it("a client's traceparent saying not sampled: no spans, and the upstream's traceparent names the proxy's span, flag 00", async () => {
    const r = await receiver();
    const legacy = await upstream();
    const p = await proxy(tracingYaml(r) + upstreamsYaml({ legacy: legacy.url }) + 'routes:\n  - { prefix: /, upstream: legacy }\n');
    await (await fetch(`${p.url}/quiet`, { headers: { traceparent: `00-${CLIENT_TID}-${CLIENT_PID}-00` } })).text();
    const sent = header(legacy.received[0], 'traceparent')!;
    expect(sent).toMatch(new RegExp(`^00-${CLIENT_TID}-[0-9a-f]{16}-00$`));
    expect(sent).not.toContain(CLIENT_PID);
    expect((await p.logLine((l) => l.msg === 'request')).traceId).toBe(CLIENT_TID);
    // A sampled request after it: the first spans to arrive are its own (the batch is in order).
    await (await fetch(`${p.url}/loud`)).text();
    const spans = await r.waitForSpans(2);
    expect(spans.map((s) => s.traceId)).not.toContain(CLIENT_TID);
    expect(spans.map((s) => s.attributes['url.path'] ?? null)).toContain('/loud');
  });

  it('retries are sibling client spans; the failed one carries strangler.failure and status error', async () => {
    const r = await receiver();
    let n = 0;
    const legacy = await upstream((req, res) => (n++ === 0 ? req.socket.destroy() : res.end('second')));
    const p = await proxy(tracingYaml(r) + upstreamsYaml({ legacy: legacy.url }) + 'routes:\n  - { prefix: /, upstream: legacy, retry: { attempts: 2, backoffMs: 0 } }\n');
    const res = await fetch(`${p.url}/r`);
    expect(await res.text()).toBe('second');
    const spans = await r.waitForSpans(3);
    const [server] = byKind(spans, SERVER);
    const clients = byKind(spans, CLIENT);
    expect(clients).toHaveLength(2);
    for (const c of clients) expect(c.parentSpanId).toBe(server!.spanId);
    const failed = clients.find((c) => c.attributes['strangler.failure'] !== undefined)!;
    const ok = clients.find((c) => c !== failed)!;
    expect(failed.attributes['strangler.failure']).toBe('reset');
    expect(failed.status.code).toBe(2);
    expect(ok.attributes['http.response.status_code']).toBe(200);
    // Each try named its own span to the upstream.
    expect(header(legacy.received[1], 'traceparent')).toBe(`00-${server!.traceId}-${ok.spanId}-01`);
  });

  it('a fallback is a sibling attempt with strangler.fallback true', async () => {
    const r = await receiver();
    const legacy = await upstream();
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const p = await proxy(tracingYaml(r) + upstreamsYaml({ app: dead, legacy: legacy.url }) + 'routes:\n  - { prefix: /, upstream: app, fallback: legacy }\n');
    expect((await fetch(`${p.url}/f`)).status).toBe(200);
    const spans = await r.waitForSpans(3);
    const [server] = byKind(spans, SERVER);
    const clients = byKind(spans, CLIENT);
    expect(clients.map((c) => [c.attributes['strangler.upstream'], c.attributes['strangler.fallback'], c.attributes['strangler.failure'] ?? null])).toEqual(
      expect.arrayContaining([['app', false, 'connect-error'], ['legacy', true, null]]),
    );
    for (const c of clients) expect(c.parentSpanId).toBe(server!.spanId);
    expect(server!.attributes['strangler.upstream']).toBe('legacy');
  });

  it('a canary request is marked strangler.canary on both spans', async () => {
    const r = await receiver();
    const legacy = await upstream();
    const next = await upstream();
    const p = await proxy(tracingYaml(r) + upstreamsYaml({ legacy: legacy.url, next: next.url }) + 'routes:\n  - { prefix: /, upstream: legacy, canary: { upstream: next, percent: 100 } }\n');
    await (await fetch(`${p.url}/c`)).text();
    const spans = await r.waitForSpans(2);
    expect(byKind(spans, SERVER)[0]!.attributes['strangler.canary']).toBe(true);
    expect(byKind(spans, CLIENT)[0]!.attributes).toMatchObject({ 'strangler.canary': true, 'strangler.upstream': 'next' });
  });

  it("a proxy error sets the server span's status error with strangler.error", async () => {
    const r = await receiver();
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const p = await proxy(tracingYaml(r) + upstreamsYaml({ app: dead }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    expect((await fetch(`${p.url}/e`)).status).toBe(502);
    const spans = await r.waitForSpans(2);
    const [server] = byKind(spans, SERVER);
    expect(server!.status.code).toBe(2);
    expect(server!.attributes).toMatchObject({ 'strangler.error': 'upstream_unavailable', 'http.response.status_code': 502 });
    expect(byKind(spans, CLIENT)[0]!.attributes['strangler.failure']).toBe('connect-error');
  });

  it('off: traceparent passes through untouched, no traceId on the access line', async () => {
    const legacy = await upstream();
    const p = await proxy(upstreamsYaml({ legacy: legacy.url }) + 'routes:\n  - { prefix: /, upstream: legacy }\n');
    expect(p.proxy.store.current.tracing).toBeNull();
    const tp = `00-${CLIENT_TID}-${CLIENT_PID}-01`;
    await (await fetch(`${p.url}/o`, { headers: { traceparent: tp } })).text();
    expect(header(legacy.received[0], 'traceparent')).toBe(tp);
    expect((await p.logLine((l) => l.msg === 'request')).traceId).toBeUndefined();
  });

  it('a reload turns tracing on, then off; an unchanged config keeps its tracer', async () => {
    const r = await receiver();
    const legacy = await upstream();
    const base = upstreamsYaml({ legacy: legacy.url }) + 'routes:\n  - { prefix: /, upstream: legacy }\n';
    const p = await proxy(base);
    const tp = `00-${CLIENT_TID}-${CLIENT_PID}-01`;
    await writeFile(p.file, tracingYaml(r) + base);
    expect((await p.proxy.reload('admin')).result).toBe('success');
    const tracing = p.proxy.store.current.tracing;
    expect(tracing).not.toBeNull();
    await writeFile(p.file, tracingYaml(r) + '  drainTimeoutMs: 5000\n' + base); // another version, the same tracing
    expect((await p.proxy.reload('admin')).result).toBe('success');
    expect(p.proxy.store.current.tracing).toBe(tracing);
    await (await fetch(`${p.url}/on`, { headers: { traceparent: tp } })).text();
    const spans = await r.waitForSpans(2);
    expect(header(legacy.received[0], 'traceparent')).toBe(`00-${CLIENT_TID}-${byKind(spans, CLIENT)[0]!.spanId}-01`);
    await writeFile(p.file, base);
    expect((await p.proxy.reload('admin')).result).toBe('success');
    expect(p.proxy.store.current.tracing).toBeNull();
    await (await fetch(`${p.url}/off`, { headers: { traceparent: tp } })).text();
    expect(header(legacy.received[1], 'traceparent')).toBe(tp);
  });
});
