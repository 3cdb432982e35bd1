import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShadowEvent } from '../src/shadow/log-line.js';
import { rawRequest } from './helpers/raw.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

// Two routes with the same prefix on two hosts: each keeps its own shadow and canary, and is
// reported under its own name (host + prefix).
describe('shadow and canary on host routes', () => {
  let proxy: TestProxy;
  const ups: Upstream[] = [];

  beforeAll(async () => {
    for (const n of ['legacy', 'next', 'canary']) ups.push(await startUpstream((req, res) => res.end(JSON.stringify({ from: n, path: req.url }))));
    const [legacy, next, canary] = ups.map((u) => u.url);
    proxy = await startProxy(
      upstreamsYaml({ legacy: legacy!, next: next!, canary: canary! }) +
        'routes:\n' +
        '  - { host: shop.example.com, prefix: /orders, upstream: legacy, shadow: { upstream: next } }\n' +
        '  - { host: "*.example.com", prefix: /orders, upstream: legacy, canary: { upstream: canary, percent: 0, forceHeader: x-canary } }\n' +
        '  - { prefix: /orders, upstream: legacy }\n',
    );
  });
  afterAll(async () => {
    await proxy.close();
    for (const u of ups) await u.close();
  });

  const get = (host: string, extra = '') => rawRequest(proxy.port, `GET /orders/1 HTTP/1.1\r\nHost: ${host}\r\n${extra}Connection: close\r\n\r\n`);

  it("mirrors the exact host's requests to its shadow, reported under host + prefix", async () => {
    const event = once(proxy.proxy.shadow, 'event').then(([e]) => e as ShadowEvent);
    const r = await get('Shop.Example.com');
    expect(JSON.parse(r.body)).toEqual({ from: 'legacy', path: '/orders/1' });
    expect(await event).toMatchObject({ route: 'shop.example.com/orders', path: '/orders/1', shadowStatus: 200 });
    const metrics = await (await fetch(`${proxy.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/strangler_shadow_comparisons_total\{route="shop\.example\.com\/orders"/);
  });

  it("sends a forced canary of the wildcard route to its canary; other hosts' /orders have none", async () => {
    expect(JSON.parse((await get('eu.example.com', 'x-canary: on\r\n')).body)).toEqual({ from: 'canary', path: '/orders/1' });
    expect(JSON.parse((await get('elsewhere.test', 'x-canary: on\r\n')).body)).toEqual({ from: 'legacy', path: '/orders/1' });
    const metrics = await (await fetch(`${proxy.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/strangler_canary_requests_total\{route="\*\.example\.com\/orders",side="canary"\} 1/);
  });
});
