import http from 'node:http';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { hanging, stalling, type Misbehaving } from './helpers/misbehaving.js';
import { ending, trackedGet } from './helpers/client.js';
import { startProxy, upstreamsYaml, type TestProxy } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

let up: Misbehaving | undefined;
let proxy: TestProxy | undefined;
const clients: http.ClientRequest[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await proxy?.close();
  await up?.close();
  proxy = up = undefined;
});

const get = (url: string, id: string): http.ClientRequest => trackedGet(clients, url, id);

const accessLine = (p: TestProxy, id: string) => p.logLine((l) => l.msg === LOG.request && l.requestId === id);

describe('idleTimeoutMs: an upstream that sends the head, then falls silent', () => {
  it.each([
    ['a route without policies', ''],
    ['a route with retries (nothing is retried once bytes went out)', ', retry: { attempts: 3, backoffMs: 0, maxBackoffMs: 0 }'],
  ])('%s: the client gets a broken body, the upstream request is aborted, the access line says idle_timeout', async (_name, extra) => {
    up = await stalling();
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + `routes:\n  - { prefix: /s, upstream: app, idleTimeoutMs: 200${extra} }\n`);
    const req = get(proxy.url + '/s/big', 'idle-up-1');
    const [res] = (await once(req, 'response')) as [http.IncomingMessage];
    expect(res.statusCode).toBe(200);
    const end = ending(res);
    const [first] = (await once(res, 'data')) as [Buffer];
    expect(first.toString()).toBe('first-bytes');

    expect(await end).toBe('error'); // never a clean end of a truncated body
    await (await up.arrival(1)).socketClosed; // the upstream request was aborted
    expect(await accessLine(proxy, 'idle-up-1')).toMatchObject({ status: 200, error: 'idle_timeout' });
    expect(up.arrivals).toHaveLength(1);
  });

  it('from defaults: the same', async () => {
    up = await stalling();
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'defaults: { idleTimeoutMs: 200 }\nroutes:\n  - { prefix: /s, upstream: app }\n');
    const req = get(proxy.url + '/s/big', 'idle-up-2');
    const [res] = (await once(req, 'response')) as [http.IncomingMessage];
    expect(await ending(res)).toBe('error');
    expect(await accessLine(proxy, 'idle-up-2')).toMatchObject({ status: 200, error: 'idle_timeout' });
  });

  it('before the response starts, timeoutMs governs: a silent upstream gets 504 upstream_timeout, not idle_timeout', async () => {
    up = await hanging();
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /s, upstream: app, idleTimeoutMs: 100, timeoutMs: 800 }\n');
    const req = get(proxy.url + '/s/x', 'idle-up-3');
    const [res] = (await once(req, 'response')) as [http.IncomingMessage];
    expect(res.statusCode).toBe(504);
    expect(await accessLine(proxy, 'idle-up-3')).toMatchObject({ status: 504, error: 'upstream_timeout' });
  });
});
