import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LOG } from '../src/observability/log-messages.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

let primary: Upstream | undefined, shadow: Upstream | undefined, proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await Promise.all([primary?.close(), shadow?.close()]);
  primary = shadow = proxy = undefined;
});

describe('a mirrored write whose client leaves while sending its body', () => {
  it('ends with one access line on its route, as on a route without shadow (the truncated body: 400, or 499 on Node 24), and nothing reaches either upstream', async () => {
    primary = await startUpstream((_req, res) => res.end('primary'));
    shadow = await startUpstream((_req, res) => res.end('shadow'));
    proxy = await startProxy(
      upstreamsYaml({ legacy: primary.url, next: shadow.url }) +
        'routes:\n  - { prefix: /orders, upstream: legacy, shadow: { upstream: next, methods: [POST] } }\n',
    );
    const socket = net.connect(proxy.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    // The proxy answers 100 Continue once it has taken the request; then 10 of the 100 announced
    // bytes arrive, and the client is gone while the proxy reads the body it mirrors.
    socket.write('POST /orders HTTP/1.1\r\nHost: shop.test\r\nX-Request-Id: left-mid-body\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n');
    await new Promise<void>((resolve) => socket.once('data', (d: Buffer) => (expect(d.toString()).toMatch(/^HTTP\/1\.1 100 /), resolve())));
    socket.write('0123456789');
    socket.resetAndDestroy();
    const line = await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'left-mid-body');
    expect(line).toMatchObject({ method: 'POST', path: '/orders', route: '/orders', upstream: 'legacy' });
    // Node 20 reports the reset as a parse error of the truncated body (400 bad_request, as on a
    // route without shadow); Node 24 reports the connection closing first (499 client_closed).
    expect([[400, 'bad_request'], [499, 'client_closed']]).toContainEqual([line.status, line.error]);
    expect(proxy.logs.filter((l) => l.requestId === 'left-mid-body' && l.msg === LOG.request)).toHaveLength(1);
    expect(primary.received).toHaveLength(0);
    expect(shadow.received).toHaveLength(0);
  });
});
