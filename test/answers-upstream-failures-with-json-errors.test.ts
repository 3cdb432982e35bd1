import http from 'node:http';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { refusedPort, startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

let up: Upstream | undefined;
let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await up?.close();
  proxy = up = undefined;
});

describe('upstream failures', () => {
  it('answers 504 upstream_timeout when no headers arrive within timeoutMs, and aborts the upstream request', async () => {
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((r) => (upstreamClosed = r));
    up = await startUpstream((req) => {
      req.socket.on('close', upstreamClosed); // never answers
    });
    proxy = await startProxy(upstreamsYaml({ slow: up.url }) + 'routes:\n  - { prefix: /slow, upstream: slow, timeoutMs: 150 }\n');
    const r = await fetch(proxy.url + '/slow/x', { headers: { 'x-request-id': 'to-1' } });
    expect(r.status).toBe(504);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(await r.json()).toEqual({
      error: 'upstream_timeout',
      message: "no response from upstream 'slow' within 150 ms",
      requestId: 'to-1',
      route: '/slow',
    });
    await closed; // the proxy really aborted the upstream request
    const line = await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'to-1');
    expect(line).toMatchObject({ status: 504, error: 'upstream_timeout', route: '/slow', upstream: 'slow' });
  });

  it('answers 502 upstream_unavailable when the upstream refuses connections', async () => {
    const port = await refusedPort();
    proxy = await startProxy(upstreamsYaml({ gone: `http://127.0.0.1:${port}` }) + 'routes:\n  - { prefix: /, upstream: gone }\n');
    const r = await fetch(proxy.url + '/anything', { headers: { 'x-request-id': 'down-1' } });
    expect(r.status).toBe(502);
    const body = (await r.json()) as Record<string, string>;
    expect(body).toMatchObject({ error: 'upstream_unavailable', requestId: 'down-1', route: '/' });
    expect(body.message).toContain('ECONNREFUSED');
  });

  it('answers 502 when the upstream resets the connection before answering', async () => {
    up = await startUpstream((req) => req.socket.destroy());
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    const r = await fetch(proxy.url + '/reset');
    expect(r.status).toBe(502);
    expect(await r.json()).toMatchObject({ error: 'upstream_unavailable' });
  });

  it('breaks the client response when the upstream dies mid-body, never ending it cleanly', async () => {
    up = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('only-part-of-it');
      setImmediate(() => res.socket?.destroy());
    });
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => http.get(proxy!.url + '/x', resolve).on('error', reject));
    expect(res.statusCode).toBe(200);
    const outcome = await new Promise<string>((resolve) => {
      res.on('data', () => {});
      res.on('end', () => resolve('clean end'));
      res.on('error', () => resolve('error'));
      res.on('aborted', () => resolve('error'));
    });
    expect(outcome).toBe('error');
  });

  it('aborts the upstream request at once when the client disconnects', async () => {
    let reached!: () => void;
    const arrived = new Promise<void>((r) => (reached = r));
    let upstreamSawClose!: () => void;
    const sawClose = new Promise<void>((r) => (upstreamSawClose = r));
    up = await startUpstream((req, res) => {
      res.on('close', upstreamSawClose);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('streaming...'); // and never ends
      reached();
      void req;
    });
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    const req = http.get(proxy.url + '/forever', { headers: { 'x-request-id': 'gone-1' } });
    const [res] = (await once(req, 'response')) as [http.IncomingMessage];
    await arrived;
    await once(res, 'data');
    req.destroy();
    await sawClose;
    const line = await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'gone-1');
    expect(line).toMatchObject({ error: 'client_closed', status: 200 });
  });

  it('aborts an upstream request still waiting for headers when the client disconnects', async () => {
    let upstreamSawClose!: () => void;
    const sawClose = new Promise<void>((r) => (upstreamSawClose = r));
    let reached!: () => void;
    const arrived = new Promise<void>((r) => (reached = r));
    up = await startUpstream((req) => {
      req.socket.on('close', upstreamSawClose);
      reached();
    });
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    const req = http.get(proxy.url + '/waiting', { headers: { 'x-request-id': 'gone-2' } });
    req.on('error', () => {});
    await arrived;
    req.destroy();
    await sawClose;
    const line = await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'gone-2');
    expect(line).toMatchObject({ error: 'client_closed', status: 499 });
  });
});
