// Contract v2, fallback methods: a request whose method the fallback does not take gets the error
// it would get without one. The short form takes reads (GET, HEAD, OPTIONS), except a canary's
// fallback to its own primary, which takes every method the replay-safety rule allows.

import { afterEach, describe, expect, it } from 'vitest';
import { answer, refusing, scripted, type Misbehaving } from './helpers/misbehaving.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

let up: Misbehaving | undefined;
let legacy: Upstream | undefined;
let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await up?.close();
  await legacy?.close();
  proxy = up = legacy = undefined;
});

const startLegacy = () =>
  startUpstream((req, res) => {
    req.resume();
    req.on('end', () => res.end(`legacy: ${req.method} ${req.url}`));
  });

const send = (path: string, method: string, headers: Record<string, string> = {}) =>
  fetch(proxy!.url + path, { method, headers, ...(method === 'GET' || method === 'HEAD' ? {} : { body: '{"name":"ada"}' }) });

describe('a cut-over route (upstream: users, fallback to the monolith)', () => {
  it('short form, breaker open: a GET goes to the fallback, a POST gets 503 circuit_open', async () => {
    up = await scripted([answer(500, 'boom')]);
    legacy = await startLegacy();
    proxy = await startProxy(upstreamsYaml({ users: up.url, legacy: legacy.url }) +
      'routes:\n  - { prefix: /users, upstream: users, breaker: { consecutiveFailures: 1, halfOpenAfterMs: 60000 }, fallback: legacy }\n');
    expect((await send('/users/1', 'GET')).headers.get('x-strangler-fallback')).toBe('legacy'); // opens it
    const received = legacy.received.length;
    const post = await send('/users', 'POST');
    expect(post.status).toBe(503);
    expect(await post.json()).toMatchObject({ error: 'circuit_open', route: '/users' });
    expect(legacy.received).toHaveLength(received); // the monolith's store never saw the write
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      const r = await send('/users/2', method);
      expect(r.status, method).toBe(200);
      expect(r.headers.get('x-strangler-fallback'), method).toBe('legacy');
    }
  });

  it('short form, upstream down: a POST gets 502 (nothing sent, yet not a read), a DELETE answered 503 gets the 503', async () => {
    const gone = await refusing();
    legacy = await startLegacy();
    proxy = await startProxy(upstreamsYaml({ users: gone.url, legacy: legacy.url }) + 'routes:\n  - { prefix: /users, upstream: users, fallback: legacy }\n');
    const post = await send('/users', 'POST');
    expect(post.status).toBe(502);
    expect(await post.json()).toMatchObject({ error: 'upstream_unavailable' });
    await proxy.close();

    up = await scripted([answer(503, 'maintenance', { 'x-from': 'users' })]);
    proxy = await startProxy(upstreamsYaml({ users: up.url, legacy: legacy.url }) + 'routes:\n  - { prefix: /users, upstream: users, fallback: legacy }\n');
    const del = await send('/users/1', 'DELETE');
    expect(del.status).toBe(503);
    expect(del.headers.get('x-from')).toBe('users');
    expect(await del.text()).toBe('maintenance');
    expect(legacy.received).toHaveLength(0);
    const get = await send('/users/1', 'GET');
    expect(get.headers.get('x-strangler-fallback')).toBe('legacy');
  });

  it('long form: exactly the listed methods go to the fallback', async () => {
    const gone = await refusing();
    legacy = await startLegacy();
    proxy = await startProxy(upstreamsYaml({ users: gone.url, legacy: legacy.url }) +
      'routes:\n  - { prefix: /users, upstream: users, fallback: { upstream: legacy, methods: [POST] } }\n');
    const post = await send('/users', 'POST');
    expect(post.status).toBe(200);
    expect(await post.text()).toBe('legacy: POST /users');
    const get = await send('/users/1', 'GET');
    expect(get.status).toBe(502);
    expect(get.headers.get('x-strangler-fallback')).toBeNull();
  });
});

describe("a canary route whose fallback is its own primary", () => {
  const yaml = (fallback: string, canaryUrl: string, legacyUrl: string) =>
    upstreamsYaml({ legacy: legacyUrl, users: canaryUrl }) +
    `routes:\n  - { prefix: /users, upstream: legacy, fallback: ${fallback}, canary: { upstream: users, percent: 0, forceHeader: x-canary } }\n`;

  it('short form: a canary POST that reached nobody (connect error) goes back to the primary', async () => {
    const gone = await refusing();
    legacy = await startLegacy();
    proxy = await startProxy(yaml('legacy', gone.url, legacy.url));
    const r = await send('/users', 'POST', { 'x-canary': 'on' });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-strangler-fallback')).toBe('legacy');
    expect(await r.text()).toBe('legacy: POST /users');
  });

  it('short form: a PUT answered 500 by the canary goes to the primary; a POST does not (the replay rule)', async () => {
    up = await scripted([answer(500, 'canary broke')]);
    legacy = await startLegacy();
    proxy = await startProxy(yaml('legacy', up.url, legacy.url));
    const put = await send('/users/1', 'PUT', { 'x-canary': 'on' });
    expect(put.status).toBe(200);
    expect(await put.text()).toBe('legacy: PUT /users/1');
    const post = await send('/users', 'POST', { 'x-canary': 'on' });
    expect(post.status).toBe(500);
    expect(await post.text()).toBe('canary broke');
  });

  it('long form with [GET]: a canary POST that reached nobody gets 502', async () => {
    const gone = await refusing();
    legacy = await startLegacy();
    proxy = await startProxy(yaml('{ upstream: legacy, methods: [GET] }', gone.url, legacy.url));
    expect((await send('/users', 'POST', { 'x-canary': 'on' })).status).toBe(502);
    expect((await send('/users/1', 'GET', { 'x-canary': 'on' })).headers.get('x-strangler-fallback')).toBe('legacy');
  });
});
