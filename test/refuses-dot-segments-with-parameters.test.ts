// `..;` segments (contract v2, "Edge"): a dot segment followed by parameters is answered 400
// bad_request. Servlet containers drop `;params` and then resolve the dot segment, so
// `/public/..;/admin` would reach `/admin` on a Tomcat or Jetty behind a `/public` route.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeTarget } from '../src/routing/normalize.js';
import { rawRequest } from './helpers/raw.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

const DOT_PARAMS = [
  '/public/..;/x',
  '/api/..;/admin',
  '/public/..;x/admin',
  '/public/..;jsessionid=1/admin',
  '/public/.;/x',
  '/public/.;x',
  '/public/..;',
  '/public/%2e%2e;/admin',
  '/public/%2E%2E;x/admin',
  '/public/.%2e;/admin',
  '/public/..%3b/admin',
  '/public/..%3Bx/admin',
  '/public/%252e%252e;/admin',
  '/public/%252E%252E%253b/admin',
  'http://h/public/..;/admin',
];

describe('normalizeTarget: dot segments with parameters', () => {
  it.each(DOT_PARAMS)('refuses %s', (target) => {
    const r = normalizeTarget(target, false);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/dot segment with parameters/);
  });

  it.each([
    ['/public/...;/x', '/public/...;/x'],
    ['/public/a..;/x', '/public/a..;/x'],
    ['/public/.a;/x', '/public/.a;/x'],
    ['/public/x;..', '/public/x;..'],
    ['/public/;../x', '/public/;../x'],
    ['/public/a/../b;c', '/public/b;c'],
    ['/public/..x;/y', '/public/..x;/y'],
  ])('keeps %s (no dot segment with parameters)', (target, path) => {
    const r = normalizeTarget(target, false);
    expect(r).toEqual({ ok: true, path, search: '' });
  });
});

describe('dot segments with parameters through the proxy', () => {
  let up: Upstream, proxy: TestProxy;

  beforeAll(async () => {
    up = await startUpstream((_req, res) => res.end('ok'));
    proxy = await startProxy(upstreamsYaml({ up: up.url }) + `
routes:
  - { prefix: /public, upstream: up }
  - { prefix: /api, upstream: up }
`);
  });
  afterAll(async () => {
    await proxy.close();
    await up.close();
  });

  it.each(DOT_PARAMS)('%s is answered 400 bad_request without reaching the upstream', async (target) => {
    const before = up.received.length;
    const r = await rawRequest(proxy.port, Buffer.from(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 'latin1'));
    expect(r.status, r.head).toBe(400);
    expect(r.headers['content-type']).toBe('application/json');
    expect(JSON.parse(r.body)).toEqual({ error: 'bad_request', message: expect.stringMatching(/dot segment with parameters/), requestId: r.headers['x-request-id'] });
    expect(up.received.length).toBe(before);
  });
});
