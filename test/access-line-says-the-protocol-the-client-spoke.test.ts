// The access line's `protocol` (nginx's $server_protocol, Envoy's %PROTOCOL%): HTTP/1.1, HTTP/1.0
// or HTTP/2.0, on a proxied request, a refusal before any route and an upgrade alike, so that an
// operator can tell an HTTP/2 client's failures from an HTTP/1.1 one's.
import { afterEach, describe, expect, it } from 'vitest';
import { h2Request } from './helpers/h2-client.js';
import { h2Stack } from './helpers/h2-stack.js';
import { rawRequest } from './helpers/raw.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

let up: Upstream | undefined;
let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await up?.close();
  proxy = up = undefined;
});
const h2 = h2Stack();

const okUpstream = () => startUpstream((req, res) => req.resume().on('end', () => res.end('ok')));
const yaml = (url: string) => upstreamsYaml({ app: url }) + 'routes:\n  - { prefix: /a, upstream: app }\n';
const lineOf = (p: TestProxy, id: string) => p.logLine((l) => l.msg === LOG.request && l.requestId === id);

describe('the access line says the protocol', () => {
  it('of HTTP/1.1 and HTTP/1.0 requests, refusals and upgrades', async () => {
    up = await okUpstream();
    proxy = await startProxy(yaml(up.url));
    const port = Number(new URL(proxy.url).port);

    await fetch(proxy.url + '/a', { headers: { 'x-request-id': 'p11' } });
    expect(await lineOf(proxy, 'p11')).toMatchObject({ status: 200, protocol: 'HTTP/1.1' });

    const r10 = await rawRequest(port, 'GET /a HTTP/1.0\r\nHost: x\r\nX-Request-Id: p10\r\n\r\n');
    expect(r10.status).toBe(200);
    expect(await lineOf(proxy, 'p10')).toMatchObject({ status: 200, protocol: 'HTTP/1.0' });

    const none = await fetch(proxy.url + '/elsewhere', { headers: { 'x-request-id': 'p404' } });
    expect(none.status).toBe(404);
    expect(await lineOf(proxy, 'p404')).toMatchObject({ error: 'no_route', protocol: 'HTTP/1.1' });

    // An upgrade the upstream answers without switching (its answer relayed): the upgrade's own line.
    const upg = await rawRequest(port, 'GET /a HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nX-Request-Id: pup\r\n\r\n');
    expect(upg.status).toBe(200);
    expect(await lineOf(proxy, 'pup')).toMatchObject({ status: 200, protocol: 'HTTP/1.1' });
  });

  it('of HTTP/2 requests', async () => {
    const u = await okUpstream();
    const { proxy: p, session } = await h2.start(u, yaml(u.url));
    const a = await h2Request(session, { ':path': '/a', 'x-request-id': 'p2' });
    expect(a.status).toBe(200);
    expect(await lineOf(p, 'p2')).toMatchObject({ status: 200, protocol: 'HTTP/2.0' });
    const b = await h2Request(session, { ':path': '/elsewhere', 'x-request-id': 'p2-404' });
    expect(b.status).toBe(404);
    expect(await lineOf(p, 'p2-404')).toMatchObject({ error: 'no_route', protocol: 'HTTP/2.0' });
  });
});
