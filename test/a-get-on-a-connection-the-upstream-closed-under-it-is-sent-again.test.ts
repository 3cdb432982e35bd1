// An upstream that closes a kept-alive connection as idle while the next request is on its way
// (gunicorn does after 2 s, below the pool's keepAliveMs of 4 s): the request meets a reset before
// any answer. A real Django app under gunicorn behind the proxy answered 352 of 1,000 bursty GETs
// 502 this way. A GET, HEAD, OPTIONS or TRACE without a body is now sent once more, on another
// connection (as nginx does for a kept-alive connection, and Go's Transport for a reused one);
// anything else still fails, since the upstream may have acted on it, and so does a reset on a
// new connection (the upstream's failure: retried only as the route's retry.on says).
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

let up: Upstream | undefined;
let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await up?.close();
  proxy = up = undefined;
});

const served = new WeakMap<Socket, number>();
/** What the upstream saw: method and path, and whether it reset the connection under it. */
let seen: string[] = [];

/** Resets a request that comes on a connection that served one before (/stale/...), or every
 *  request (/broken/...); answers the rest. */
async function start(): Promise<void> {
  seen = [];
  up = await startUpstream((req, res) => {
    const socket = req.socket;
    const before = served.get(socket) ?? 0;
    served.set(socket, before + 1);
    const reset = req.url!.startsWith('/broken') || (req.url!.startsWith('/stale') && before > 0);
    seen.push(`${req.method} ${req.url}${reset ? ' reset' : ''}`);
    if (reset) return void socket.resetAndDestroy();
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
}

const line = (id: string): Promise<Record<string, unknown>> => proxy!.logLine((l) => l.msg === LOG.request && l.requestId === id);

describe('a request whose kept-alive connection the upstream closed before answering', () => {
  it('sends a GET once more, on another connection, and the client gets its answer', async () => {
    await start();
    expect((await fetch(`${proxy!.url}/stale/first`, { headers: { 'x-request-id': 'warm' } })).status).toBe(200); // the connection, kept alive
    const res = await fetch(`${proxy!.url}/stale/again`, { headers: { 'x-request-id': 'stale-get' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    expect(seen).toEqual(['GET /stale/first', 'GET /stale/again reset', 'GET /stale/again']);
    expect(await line('stale-get')).toMatchObject({ status: 200, replays: 1 });
    expect(await line('warm')).not.toHaveProperty('replays');
  });

  it('sends a POST only once: 502, since the upstream may have acted on it', async () => {
    await start();
    expect((await fetch(`${proxy!.url}/stale/first`)).status).toBe(200);
    const res = await fetch(`${proxy!.url}/stale/order`, { method: 'POST', body: '{"n":1}', headers: { 'content-type': 'application/json', 'x-request-id': 'stale-post' } });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: 'upstream_unavailable' });
    expect(seen).toEqual(['GET /stale/first', 'POST /stale/order reset']);
    expect(await line('stale-post')).not.toHaveProperty('replays');
  });

  it('sends it again only once: an upstream that resets every try answers 502', async () => {
    await start();
    expect((await fetch(`${proxy!.url}/stale/first`)).status).toBe(200);
    const res = await fetch(`${proxy!.url}/broken/x`, { headers: { 'x-request-id': 'broken' } });
    expect(res.status).toBe(502);
    expect(seen).toEqual(['GET /stale/first', 'GET /broken/x reset', 'GET /broken/x reset']);
    expect(await line('broken')).toMatchObject({ status: 502, error: 'upstream_unavailable', replays: 1 });
  });

  it('does not send again a GET reset on a new connection: that is the upstream failing (retry.on decides)', async () => {
    await start();
    const res = await fetch(`${proxy!.url}/broken/y`, { headers: { 'x-request-id': 'fresh' } });
    expect(res.status).toBe(502);
    expect(seen).toEqual(['GET /broken/y reset']);
    expect(await line('fresh')).not.toHaveProperty('replays');
  });
});
