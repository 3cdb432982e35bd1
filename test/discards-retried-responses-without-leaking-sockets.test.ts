import { afterEach, describe, expect, it } from 'vitest';
import { answer, metric, scripted, type Behaviour, type Misbehaving } from './helpers/misbehaving.js';
import { startProxy, upstreamsYaml, type TestProxy } from './helpers/servers.js';

let up: Misbehaving | undefined;
let proxy: TestProxy | undefined;
afterEach(async () => {
  // The upstream first: a socket the proxy failed to let go of would otherwise hold its shutdown.
  await up?.close();
  await proxy?.close();
  proxy = up = undefined;
});

const poolStats = (p: TestProxy, name = 'app') => p.proxy.store.current.upstreams.get(name)!.pool.stats;

const yaml = (url: string, attempts: number) =>
  upstreamsYaml({ app: url }) + `routes:\n  - { prefix: /r, upstream: app, retry: { attempts: ${attempts}, backoffMs: 0, maxBackoffMs: 0, on: [503], budgetPercent: 100 } }\n`;

describe('a response that is retried is discarded without leaking its socket', () => {
  it('small 503 bodies are drained: after 15 retries the pool runs nothing and the keep-alive upstream saw one or two connections', async () => {
    // 503 then 200, over and over: every request is retried once (15 retries for 15 requests, which
    // budgetPercent: 100 allows).
    up = await scripted((a): Behaviour => (a.n % 2 === 0 ? answer(200, `ok ${a.n}`) : answer(503, 'x'.repeat(2048))));
    proxy = await startProxy(yaml(up.url, 2));
    for (let i = 1; i <= 15; i++) {
      const r = await fetch(proxy.url + `/r/${i}`);
      expect(r.status).toBe(200);
      expect(await r.text()).toBe(`ok ${i * 2}`);
    }
    expect(up.arrivals).toHaveLength(30);
    expect(await metric(proxy.adminUrl, 'strangler_upstream_retries_total', { reason: '503' })).toBe(15);
    const stats = poolStats(proxy);
    expect({ running: stats.running, pending: stats.pending, queued: stats.queued }).toEqual({ running: 0, pending: 0, queued: 0 });
    expect(stats.free).toBe(stats.connected); // every open socket is idle in the pool, reusable
    // A drained 503 leaves its socket reusable: the 30 exchanges shared one connection (two at
    // most, should a retry be dispatched before the drain freed the first); a response aborted
    // instead of drained would cost a connection per retry (16).
    expect(up.connections.length).toBeGreaterThan(0);
    expect(up.connections.length).toBeLessThanOrEqual(2);
    for (const s of up.connections) expect(s.destroyed).toBe(false);
  });

  it('a large or unsized 503 body is aborted, not read: its socket closes and the pool runs nothing', async () => {
    const big = 'y'.repeat(256 * 1024);
    up = await scripted([
      answer(503, big), // over the 64 KiB drain limit
      { kind: 'custom', handle: (_req, res) => res.writeHead(503, { 'content-type': 'text/plain' }).end('chunked, no length') },
      answer(200, 'fine'),
    ]);
    proxy = await startProxy(yaml(up.url, 3));
    const r = await fetch(proxy.url + '/r/x');
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('fine');
    expect(up.arrivals).toHaveLength(3);
    // Both discarded responses were aborted: the upstream sees their sockets close.
    await up.arrivals[0]!.socketClosed;
    await up.arrivals[1]!.socketClosed;
    expect(poolStats(proxy)).toMatchObject({ running: 0, pending: 0 });
  });

  it('a retried 503 whose body stalls does not hold its socket forever', async () => {
    up = await scripted([
      {
        kind: 'custom',
        handle: (_req, res) => {
          res.writeHead(503, { 'content-type': 'text/plain', 'content-length': '1000' });
          res.write('part of an error page'); // ... and the rest never comes
        },
      },
      answer(200, 'fine'),
    ]);
    proxy = await startProxy(yaml(up.url, 2));
    const r = await fetch(proxy.url + '/r/x');
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('fine');
    expect(up.arrivals).toHaveLength(2);
    // The discarded response cannot be drained (its body never completes): the proxy must let the
    // socket go rather than keep a pool slot busy for as long as the upstream keeps it open.
    await up.arrivals[0]!.socketClosed;
    expect(poolStats(proxy)).toMatchObject({ pending: 0, queued: 0 });
  });
});
