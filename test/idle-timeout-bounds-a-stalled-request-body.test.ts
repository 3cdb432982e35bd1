import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { hanging, type Misbehaving } from './helpers/misbehaving.js';
import { rawRequest } from './helpers/raw.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

let up: Misbehaving | Upstream | undefined;
let proxy: TestProxy | undefined;
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await proxy?.close();
  await up?.close();
  proxy = up = undefined;
});

const accessLine = (p: TestProxy, id: string) => p.logLine((l) => l.msg === LOG.request && l.requestId === id);

/** A POST announcing 100 bytes of body and sending 10, then nothing. */
const stalledPost = (id: string): string =>
  `POST /up/file HTTP/1.1\r\nHost: x\r\nX-Request-Id: ${id}\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n0123456789`;

describe('idleTimeoutMs: a request body that stalls mid-upload', () => {
  it('before any response: 408 request_timeout, the connection closed, the upstream request aborted', async () => {
    const hang = await hanging(); // reads the body (which never ends), never answers
    up = hang;
    proxy = await startProxy(upstreamsYaml({ app: hang.url }) + 'routes:\n  - { prefix: /up, upstream: app, idleTimeoutMs: 200, timeoutMs: 5000 }\n');
    const res = await rawRequest(proxy.port, stalledPost('stalled-body-1'));
    expect(res.status).toBe(408);
    expect(res.headers['connection']).toBe('close');
    expect(JSON.parse(res.body)).toMatchObject({ error: 'request_timeout', route: '/up', requestId: 'stalled-body-1' });
    expect(await accessLine(proxy, 'stalled-body-1')).toMatchObject({ status: 408, error: 'request_timeout' });
    await (await hang.arrival(1)).socketClosed; // the upstream request was aborted
  });

  it('on a route with retries (the body is read before the first try): 408, and the upstream is never contacted', async () => {
    const hang = await hanging();
    up = hang;
    proxy = await startProxy(
      upstreamsYaml({ app: hang.url }) + 'routes:\n  - { prefix: /up, upstream: app, idleTimeoutMs: 200, timeoutMs: 5000, retry: { attempts: 2 } }\n',
    );
    const res = await rawRequest(proxy.port, stalledPost('stalled-body-2'));
    expect(res.status).toBe(408);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'request_timeout' });
    expect(await accessLine(proxy, 'stalled-body-2')).toMatchObject({ status: 408, error: 'request_timeout' });
    expect(hang.arrivals).toHaveLength(0);
  });

  it('after the response started: the connection is broken, access line idle_timeout, the upstream request aborted', async () => {
    let upstreamClosed!: Promise<unknown>;
    const early = await startUpstream((req, res) => {
      upstreamClosed = new Promise((resolve) => req.socket.once('close', resolve)); // (not once(): the socket errors first)
      req.on('error', () => {}); // its body never ends: the proxy aborts it
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('early answer'); // answers before the body is in, then waits for the rest of it
    });
    up = early;
    proxy = await startProxy(upstreamsYaml({ app: early.url }) + 'routes:\n  - { prefix: /up, upstream: app, idleTimeoutMs: 200 }\n');
    const client = net.connect(proxy.port, '127.0.0.1');
    sockets.push(client);
    client.on('error', () => {});
    let received = '';
    client.setEncoding('latin1');
    client.on('data', (c: string) => (received += c));
    const closed = once(client, 'close');
    client.write(stalledPost('stalled-body-3'));

    expect(await accessLine(proxy, 'stalled-body-3')).toMatchObject({ status: 200, error: 'idle_timeout' });
    await closed;
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
    expect(received).not.toContain('\r\n0\r\n\r\n'); // never a clean end of the chunked body
    await upstreamClosed;
  });

  it('while the upstream keeps streaming its answer (writes to the client do not hide the silent body)', async () => {
    let upstreamClosed!: Promise<unknown>;
    let ticker: NodeJS.Timeout | undefined;
    const streaming = await startUpstream((req, res) => {
      upstreamClosed = new Promise((resolve) => req.socket.once('close', resolve));
      req.on('error', () => {});
      res.writeHead(200, { 'content-type': 'text/plain' });
      // The scenario, not a synchronisation: the answer never pauses for as long as idleTimeoutMs.
      ticker = setInterval(() => res.write('tick\n'), 20);
      res.on('close', () => clearInterval(ticker));
    });
    up = streaming;
    proxy = await startProxy(upstreamsYaml({ app: streaming.url }) + 'routes:\n  - { prefix: /up, upstream: app, idleTimeoutMs: 200 }\n');
    const client = net.connect(proxy.port, '127.0.0.1');
    sockets.push(client);
    client.on('error', () => {});
    let received = '';
    client.setEncoding('latin1');
    client.on('data', (c: string) => (received += c));
    const closed = once(client, 'close');
    client.write(stalledPost('stalled-body-4'));

    expect(await accessLine(proxy, 'stalled-body-4')).toMatchObject({ status: 200, error: 'idle_timeout' });
    await closed;
    clearInterval(ticker);
    expect(received).toMatch(/^HTTP\/1\.1 200 [\s\S]*tick/);
    await upstreamClosed;
  });
});
