import { once } from 'node:events';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { ShadowEvent } from '../src/shadow/log-line.js';
import { refusedPort, startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

let primary: Upstream | undefined, shadow: Upstream | undefined, proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await Promise.all([primary?.close(), shadow?.close()]);
  proxy = primary = shadow = undefined;
});

const json = (body: unknown) => (_req: unknown, res: import('node:http').ServerResponse) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
};

async function setup(primaryBody: unknown, shadowBody: unknown, shadowCfg = '{ upstream: next }', server = '') {
  primary = await startUpstream(json(primaryBody));
  shadow = await startUpstream(json(shadowBody));
  proxy = await startProxy(upstreamsYaml({ legacy: primary.url, next: shadow.url }) + server + `routes:\n  - prefix: /orders\n    upstream: legacy\n    shadow: ${shadowCfg}\n`);
  return proxy;
}

const nextEvent = (p: TestProxy) => once(p.proxy.shadow, 'event').then(([e]) => e as ShadowEvent);

describe('shadow traffic', () => {
  it('compares a matching answer as match, and the client gets the primary', async () => {
    const p = await setup({ id: 1, items: [1, 2] }, { id: 1, items: [1, 2] });
    const event = nextEvent(p);
    const r = await fetch(p.url + '/orders/1');
    expect(await r.json()).toEqual({ id: 1, items: [1, 2] });
    expect(await event).toMatchObject({ result: 'match', route: '/orders', method: 'GET', path: '/orders/1', primaryStatus: 200, shadowStatus: 200 });
    expect(shadow!.received[0]!.headers['x-strangler-shadow']).toBe('1');
    expect(await (await fetch(p.adminUrl + '/metrics')).text()).toContain('strangler_shadow_comparisons_total{route="/orders",result="match",reason=""} 1');
  });

  it('names every difference by JSON path on a mismatch', async () => {
    const p = await setup({ userId: 7, createdAt: '2024-01-01T00:00:00.000Z', n: 10 }, { user_id: 7, createdAt: 1704067200000, n: 10.0 });
    const event = nextEvent(p);
    await (await fetch(p.url + '/orders')).text();
    const e = await event;
    expect(e.result).toBe('mismatch');
    expect(e.differences!.map((d) => `${d.path} ${d.kind}`).sort()).toEqual(['$.createdAt type', '$.userId missing', '$.user_id extra']);
    expect(e.curl).toContain('/orders');
  });

  it('records shadow_error when the shadow is down, never failing the client', async () => {
    primary = await startUpstream(json({ ok: true }));
    const dead = await refusedPort();
    proxy = await startProxy(upstreamsYaml({ legacy: primary.url, next: `http://127.0.0.1:${dead}` }) + 'routes:\n  - { prefix: /orders, upstream: legacy, shadow: { upstream: next } }\n');
    const event = nextEvent(proxy);
    const r = await fetch(proxy.url + '/orders');
    expect(r.status).toBe(200);
    expect(await event).toMatchObject({ result: 'shadow_error', reason: 'connect_error' });
    // Said once in the log, at warn (the shadow log and the metric count every one): more within
    // 10 s are folded into the next line's count.
    expect(proxy.logs.filter((l) => l.msg === LOG.shadowCopyFailed)).toEqual([
      expect.objectContaining({ level: 'warn', route: '/orders', upstream: 'next', reason: 'connect_error', count: 1 }),
    ]);
    for (let i = 0; i < 3; i++) {
      const more = nextEvent(proxy);
      expect((await fetch(proxy.url + '/orders')).status).toBe(200);
      expect(await more).toMatchObject({ result: 'shadow_error' });
    }
    expect(proxy.logs.filter((l) => l.msg === LOG.shadowCopyFailed)).toHaveLength(1);
  });

  it('answers the client at primary speed while the shadow is slow, then times the shadow out', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    primary = await startUpstream(json({ ok: true }));
    shadow = await startUpstream(async (_req, res) => {
      await held; // answers only after the client got its response
      res.end('{}');
    });
    proxy = await startProxy(upstreamsYaml({ legacy: primary.url, next: shadow.url }) + 'routes:\n  - { prefix: /orders, upstream: legacy, shadow: { upstream: next, timeoutMs: 200 } }\n');
    const event = nextEvent(proxy);
    const r = await fetch(proxy.url + '/orders');
    expect(await r.json()).toEqual({ ok: true }); // while the shadow still holds its request
    expect(await event).toMatchObject({ result: 'shadow_error', reason: 'timeout' });
    release();
  });

  it('skips a comparison when a body is over maxBufferBytes (too_large)', async () => {
    const p = await setup({ big: 'x'.repeat(5000) }, { big: 'x'.repeat(5000) }, '{ upstream: next }', 'server: { maxBufferBytes: 1024 }\n');
    const event = nextEvent(p);
    expect((await (await fetch(p.url + '/orders')).text()).length).toBeGreaterThan(5000); // the client gets it whole
    expect(await event).toMatchObject({ result: 'skipped', reason: 'too_large' });
  });

  it('decodes a gzip answer before comparing', async () => {
    primary = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(JSON.stringify({ a: [1, 2, 3] })));
    });
    shadow = await startUpstream(json({ a: [1, 2, 3] }));
    proxy = await startProxy(upstreamsYaml({ legacy: primary.url, next: shadow.url }) + 'routes:\n  - { prefix: /orders, upstream: legacy, shadow: { upstream: next } }\n');
    const event = nextEvent(proxy);
    await fetch(proxy.url + '/orders', { headers: { 'accept-encoding': 'gzip' } }).then((r) => r.arrayBuffer());
    expect(await event).toMatchObject({ result: 'match' });
  });

  it('never mirrors a write method that is not listed', async () => {
    const p = await setup({ ok: 1 }, { ok: 1 });
    await (await fetch(p.url + '/orders', { method: 'POST', body: '{"x":1}', headers: { 'content-type': 'application/json' } })).text();
    const event = nextEvent(p);
    await (await fetch(p.url + '/orders')).text(); // a GET after it: its event comes first if the POST was not mirrored
    expect(await event).toMatchObject({ method: 'GET' });
    expect(shadow!.received.map((r) => r.method)).toEqual(['GET']);
    expect(primary!.received.map((r) => r.method)).toEqual(['POST', 'GET']);
  });

  it('mirrors a listed write method with its body and the shadow header; the primary gets the body too', async () => {
    const bodies: string[] = [];
    const echo = (name: string) => startUpstream(async (req, res) => {
      let b = '';
      for await (const c of req) b += c;
      bodies.push(`${name} ${req.method} ${b} ${req.headers['x-strangler-shadow'] ?? '-'}`);
      res.setHeader('content-type', 'application/json');
      res.end('{"saved":true}');
    });
    primary = await echo('primary');
    shadow = await echo('shadow');
    proxy = await startProxy(upstreamsYaml({ legacy: primary.url, next: shadow.url }) + 'routes:\n  - { prefix: /orders, upstream: legacy, shadow: { upstream: next, methods: [POST] } }\n');
    const event = nextEvent(proxy);
    const r = await fetch(proxy.url + '/orders', { method: 'POST', body: '{"product":"x"}', headers: { 'content-type': 'application/json' } });
    expect(await r.json()).toEqual({ saved: true });
    expect(await event).toMatchObject({ result: 'match', method: 'POST' });
    expect(bodies.sort()).toEqual(['primary POST {"product":"x"} -', 'shadow POST {"product":"x"} 1']);
  });

  it('skips, without queueing, beyond maxConcurrent (overload)', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    primary = await startUpstream(json({ ok: true }));
    shadow = await startUpstream(async (_req, res) => {
      await held;
      res.end('{"ok":true}');
    });
    proxy = await startProxy(upstreamsYaml({ legacy: primary.url, next: shadow.url }) + 'routes:\n  - { prefix: /orders, upstream: legacy, shadow: { upstream: next, maxConcurrent: 1 } }\n');
    const first = fetch(proxy.url + '/orders/1').then((r) => r.text());
    await once(shadow.server, 'request'); // the first copy is in flight at the shadow
    const overload = nextEvent(proxy);
    await (await fetch(proxy.url + '/orders/2')).text();
    expect(await overload).toMatchObject({ result: 'skipped', reason: 'overload', path: '/orders/2' });
    expect(shadow.received).toHaveLength(1);
    const done = nextEvent(proxy);
    release();
    await first;
    expect(await done).toMatchObject({ path: '/orders/1' });
  });

  it('learns noise from the primary disagreeing with itself (noiseProbe), then reports it as noise, not a mismatch', async () => {
    let n = 0;
    primary = await startUpstream((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ id: 1, nonce: `p${n++}` }));
    });
    shadow = await startUpstream(json({ id: 1, nonce: 'shadow' }));
    proxy = await startProxy(upstreamsYaml({ legacy: primary.url, next: shadow.url }) + 'routes:\n  - { prefix: /orders, upstream: legacy, shadow: { upstream: next, compare: { noiseProbe: 100 } } }\n');
    await (await fetch(proxy.url + '/orders')).text();
    const learned = await proxy.logLine((l) => l.msg === LOG.shadowNoiseLearned);
    expect(learned.paths).toEqual(['$.nonce']);
    const event = nextEvent(proxy);
    await (await fetch(proxy.url + '/orders')).text();
    const e = await event;
    expect(e.result).toBe('match');
    expect(e.noise!.map((x) => x.path)).toEqual(['$.nonce']);
  });
});
