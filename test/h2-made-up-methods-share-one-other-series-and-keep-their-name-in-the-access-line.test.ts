// Over HTTP/2 a client may send any token as its method (node's HTTP/1.1 parser refuses unknown
// ones before the proxy sees them). The metrics' `method` label takes only the methods node:http
// knows (http.METHODS); any other is counted as `_OTHER` (OpenTelemetry's convention), so made-up
// methods cannot grow a series each. The access line keeps the method as sent.

import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { methodLabel } from '../src/observability/method-label.js';
import { LOG } from '../src/observability/log-messages.js';
import { h2Connect, h2Request } from './helpers/h2-client.js';
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

describe('the method label', () => {
  it('keeps the methods node:http knows and calls any other _OTHER', () => {
    expect(['GET', 'POST', 'PROPFIND', 'PURGE'].map(methodLabel)).toEqual(['GET', 'POST', 'PROPFIND', 'PURGE']);
    expect(['X12345', 'get', 'X'.repeat(3000)].map(methodLabel)).toEqual(['_OTHER', '_OTHER', '_OTHER']);
  });
});

describe('strangler_requests_total over TLS and HTTP/2', () => {
  it('counts two made-up methods in one _OTHER series, GET as GET, and logs each method as sent', async () => {
    upstream = await startUpstream((_req, res) => res.end('ok'));
    proxy = await startProxy(`server:\n  tls: { cert: ${leaf.certFile}, key: ${leaf.keyFile} }\n` + upstreamsYaml({ app: upstream.url }) + 'routes:\n  - { prefix: /app, upstream: app }\n');
    const long = 'M'.repeat(3000);
    const session = await h2Connect(`https://localhost:${proxy.port}`, pki.ca);
    try {
      for (const [method, id] of [['X12345', 'odd-1'], [long, 'odd-2'], ['GET', 'get-1']] as const) {
        expect((await h2Request(session, { ':method': method, ':path': '/app/x', 'x-request-id': id })).status).toBeGreaterThan(0);
      }
    } finally {
      session.destroy();
    }

    const text = await (await fetch(proxy.adminUrl + '/metrics')).text();
    const series = text.split('\n').filter((l) => l.startsWith('strangler_requests_total{'));
    expect(series.map((l) => /method="([^"]*)"/.exec(l)![1]).sort()).toEqual(['GET', '_OTHER']);
    expect(series.find((l) => l.includes('method="_OTHER"'))).toMatch(/ 2$/);
    expect(Math.max(...series.map((l) => l.length))).toBeLessThan(200);

    expect(await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'odd-1')).toMatchObject({ method: 'X12345' });
    expect(await proxy.logLine((l) => l.msg === LOG.request && l.requestId === 'odd-2')).toMatchObject({ method: long });
  });
});
