// A mirrored write (a route that mirrors POSTs) reads its body once, to send the same bytes to
// both upstreams; that read had no bound but the idle timer, which every trickled byte re-arms:
// 64 clients sending a byte every 5 s held every shadow slot for as long as they liked (and each
// primary request with them). Now, as on a route with policies, a body not all there within the
// route's timeoutMs is answered 408 request_timeout, nothing reaches either upstream, and the
// shadow's slot is free again.

import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { LOG } from '../src/observability/log-messages.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

let primary: Upstream | undefined, shadow: Upstream | undefined, proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await Promise.all([primary?.close(), shadow?.close()]);
  primary = shadow = proxy = undefined;
});

describe('a mirrored write whose body trickles in', () => {
  it('is answered 408 at timeoutMs, reaches neither upstream, and leaves the shadow slot free', async () => {
    primary = await startUpstream((req, res) => (req.resume(), req.on('end', () => res.end('primary'))));
    shadow = await startUpstream((req, res) => (req.resume(), req.on('end', () => res.end('shadow'))));
    proxy = await startProxy(
      upstreamsYaml({ legacy: primary.url, next: shadow.url }) +
        'routes:\n  - { prefix: /orders, upstream: legacy, timeoutMs: 400, shadow: { upstream: next, methods: [POST], maxConcurrent: 1 } }\n',
    );
    const socket = net.connect(proxy.port, '127.0.0.1');
    await once(socket, 'connect');
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    socket.write('POST /orders HTTP/1.1\r\nHost: shop.test\r\nX-Request-Id: trickle\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":');
    // A byte at a time while the proxy holds the request (each write re-arms the idle timer).
    const drip = setInterval(() => socket.writable && socket.write(' '), 50);
    try {
      const line = await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'trickle');
      expect(line).toMatchObject({ status: 408, error: 'request_timeout', route: '/orders' });
    } finally {
      clearInterval(drip);
    }
    await once(socket, 'close');
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(primary.received).toHaveLength(0);
    expect(shadow.received).toHaveLength(0);
    // The one shadow slot is free: the next mirrored write is compared.
    const compared = new Promise<Record<string, unknown>>((resolve) => proxy!.proxy.shadow.once('event', resolve));
    const next = await fetch(`${proxy.url}/orders`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    expect(await next.text()).toBe('primary');
    const event = await compared;
    expect(event).toMatchObject({ route: '/orders', method: 'POST' });
    expect(event.result).not.toBe('skipped');
  });
});
