// Hostile request targets, written on a raw socket: fetch and curl would normalise them first.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, type RawResponse } from './helpers/raw.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

const echo = (name: string) => startUpstream((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ name, url: req.url }));
});

const get = (port: number, target: string): Promise<RawResponse> =>
  rawRequest(port, Buffer.from(`GET ${target} HTTP/1.1\r\nHost: proxy.test\r\nConnection: close\r\n\r\n`, 'latin1'));

function expectBadRequest(r: RawResponse): void {
  expect(r.status, r.head + '\n\n' + r.body).toBe(400);
  expect(r.headers['content-type']).toBe('application/json');
  const body = JSON.parse(r.body) as Record<string, unknown>;
  expect(body).toEqual({ error: 'bad_request', message: expect.any(String), requestId: expect.any(String) });
  expect(body.message).not.toBe('');
  expect(body.requestId).toBe(r.headers['x-request-id']);
}

describe('hostile paths', () => {
  let root: Upstream, api: Upstream, proxy: TestProxy;

  beforeAll(async () => {
    [root, api] = await Promise.all([echo('root'), echo('api')]);
    // `/` catches everything: without the refusal, every target below would reach an upstream.
    proxy = await startProxy(upstreamsYaml({ root: root.url, api: api.url }) + `
routes:
  - { prefix: /, upstream: root }
  - { prefix: /api, upstream: api }
`);
  });
  afterAll(async () => {
    await proxy.close();
    await Promise.all([root.close(), api.close()]);
  });

  it.each([
    // dot segments climbing above the root, raw and percent-encoded
    '/../etc/passwd',
    '/..',
    '/api/../../x',
    '/api/x/../../../etc/passwd',
    '/%2e%2e/x',
    '/%2E%2E/x',
    '/.%2e/x',
    '/%2e./x',
    '/api/%2e%2e/%2e%2e/x',
    // double encoding
    '/%252e%252e/x',
    '/%252E%252E/x',
    '/api/a%252Fb',
    '/api/a%252fb',
    '/api/a%255Cb',
    '/api/a%2500',
    '/api/a%25%32%46b',
    // encoded slash and backslash, any case
    '/api/a%2Fb',
    '/api/a%2fb',
    '/api/a%5Cb',
    '/api/a%5cb',
    '/api/..%2f..%2fetc',
    // raw backslash
    '/api\\..\\..\\etc',
    '/api/a\\b',
    // NUL and control bytes
    '/api/a\u0000b',
    '/api/a%00',
    '/api/a%00b',
    '/api/a%0a',
    '/api/a%0D%0AX-Injected:%20y',
    '/api/a%09',
    '/api/a%7f',
    '/api/a%7F',
    // malformed escapes
    '/api/%zz',
    '/api/%2',
    '/api/%',
    '/api/%g0',
    // fragments
    '/a#b',
    '/api#',
    '/api?q=1#frag',
    // targets that are not a path
    'api/users',
    '*',
    'example.com:80',
    'http://example.com/../x',
    'http://example.com/api#x',
  ])('%j: 400 bad_request, nothing reaches an upstream', async (target) => {
    expectBadRequest(await get(proxy.port, target));
    expect(root.received.length).toBe(0);
    expect(api.received.length).toBe(0);
  });
});

describe('legitimate paths', () => {
  let root: Upstream, api: Upstream, proxy: TestProxy;

  beforeAll(async () => {
    [root, api] = await Promise.all([echo('root'), echo('api')]);
    proxy = await startProxy(upstreamsYaml({ root: root.url, api: api.url }) + `
routes:
  - { prefix: /, upstream: root }
  - { prefix: /api, upstream: api }
`);
  });
  afterAll(async () => {
    await proxy.close();
    await Promise.all([root.close(), api.close()]);
  });

  const forwarded = async (target: string) => {
    const r = await get(proxy.port, target);
    expect(r.status, r.head + '\n\n' + r.body).toBe(200);
    return JSON.parse(r.body) as { name: string; url: string };
  };

  it('matches and forwards the same normalised path after a climb inside the root', async () => {
    expect(await forwarded('/api/x/../users/1')).toEqual({ name: 'api', url: '/api/users/1' });
    expect(await forwarded('/api/./users/./1')).toEqual({ name: 'api', url: '/api/users/1' });
    expect(await forwarded('/api/x/%2e%2e/users/1')).toEqual({ name: 'api', url: '/api/users/1' });
    expect(await forwarded('/api/users/1/..')).toEqual({ name: 'api', url: '/api/users/' });
  });

  it('matches on the normalised path: climbing out of /api leaves the /api route', async () => {
    expect(await forwarded('/api/../admin')).toEqual({ name: 'root', url: '/admin' });
    expect(await forwarded('/api/%2E%2E/admin')).toEqual({ name: 'root', url: '/admin' });
    expect(await forwarded('/x/../api/users')).toEqual({ name: 'api', url: '/api/users' });
  });

  it('decodes unreserved characters only, and forwards the decoded form', async () => {
    expect(await forwarded('/api/%7Euser')).toEqual({ name: 'api', url: '/api/~user' });
    expect(await forwarded('/%61%70%69/users')).toEqual({ name: 'api', url: '/api/users' });
    // `%20`, `%3A`, `%40` and UTF-8 are not unreserved: kept exactly as sent.
    expect(await forwarded('/api/a%20b%3Ac%40d%C3%A9')).toEqual({ name: 'api', url: '/api/a%20b%3Ac%40d%C3%A9' });
  });

  it('forwards the query string unchanged, whatever it contains', async () => {
    expect(await forwarded('/api/a/../b?x=/../%2F&y=%00&z=a\\b')).toEqual({ name: 'api', url: '/api/b?x=/../%2F&y=%00&z=a\\b' });
  });

  it('routes an absolute-form target by its path alone', async () => {
    expect(await forwarded('http://example.com/api/users/1')).toEqual({ name: 'api', url: '/api/users/1' });
    expect(await forwarded('http://example.com:8080/api/x/../users/1?q=1')).toEqual({ name: 'api', url: '/api/users/1?q=1' });
    expect(await forwarded('http://example.com')).toEqual({ name: 'root', url: '/' });
  });

  it('matches a prefix on segment boundaries only', async () => {
    expect(await forwarded('/apiary')).toEqual({ name: 'root', url: '/apiary' });
    expect(await forwarded('/api-v2/x')).toEqual({ name: 'root', url: '/api-v2/x' });
    expect(await forwarded('/api')).toEqual({ name: 'api', url: '/api' });
    expect(await forwarded('/api/')).toEqual({ name: 'api', url: '/api/' });
    expect(await forwarded('/api?q')).toEqual({ name: 'api', url: '/api?q' });
  });
});

describe('a prefix without a segment boundary, and no catch-all', () => {
  it('does not match /apiary against /api: 404 no_route, nothing forwarded', async () => {
    const api = await echo('api');
    const proxy = await startProxy(upstreamsYaml({ api: api.url }) + 'routes:\n  - { prefix: /api, upstream: api }\n');
    try {
      const r = await get(proxy.port, '/apiary');
      expect(r.status).toBe(404);
      expect(r.headers['content-type']).toBe('application/json');
      expect(JSON.parse(r.body)).toEqual({
        error: 'no_route', message: 'no route matches GET /apiary', requestId: r.headers['x-request-id'],
      });
      expect(api.received.length).toBe(0);
    } finally {
      await proxy.close();
      await api.close();
    }
  });
});

describe('escapedSlashes: keep', () => {
  let api: Upstream, proxy: TestProxy;

  beforeAll(async () => {
    api = await echo('api');
    proxy = await startProxy(`server:\n  escapedSlashes: keep\n` + upstreamsYaml({ api: api.url }) + `
routes:
  - { prefix: /api, upstream: api }
`);
  });
  afterAll(async () => {
    await proxy.close();
    await api.close();
  });

  it('forwards %2F and %5C exactly as sent, never decoded', async () => {
    const r = await get(proxy.port, '/api/files/a%2Fb%2fc%5Cd%5ce');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ name: 'api', url: '/api/files/a%2Fb%2fc%5Cd%5ce' });
  });

  it('still refuses the other hazards', async () => {
    const before = api.received.length;
    for (const target of ['/api/a%252Fb', '/api/../../x', '/api/a\\b', '/api/a%00', '/api/%zz']) {
      expectBadRequest(await get(proxy.port, target));
    }
    expect(api.received.length).toBe(before);
  });
});
