// Issue 15 (operators): strangler_upstream_connections{upstream,state} reads the undici pools
// when /metrics is scraped: a request held by a slow upstream is one active connection, idle
// once answered (kept alive); an upstream nobody called has none.
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { metric } from './helpers/misbehaving.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

let slow: Upstream | undefined;
let other: Upstream | undefined;
let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await slow?.close();
  await other?.close();
  proxy = slow = other = undefined;
});

const connections = (p: TestProxy, upstream: string, state: string) => metric(p.adminUrl, 'strangler_upstream_connections', { upstream, state });

describe('strangler_upstream_connections', () => {
  it('counts a held request as active, then its kept-alive connection as idle', async () => {
    const held: ServerResponse[] = [];
    let arrived!: () => void;
    const arrival = new Promise<void>((r) => (arrived = r));
    slow = await startUpstream((_req, res) => {
      held.push(res);
      arrived();
    });
    other = await startUpstream((_req, res) => res.end('ok'));
    proxy = await startProxy(upstreamsYaml({ slow: slow.url, other: other.url }) + 'routes:\n  - { prefix: /s, upstream: slow }\n  - { prefix: /o, upstream: other }\n');
    expect(await connections(proxy, 'slow', 'active')).toBe(0);
    const answered = fetch(proxy.url + '/s');
    await arrival;
    expect(await connections(proxy, 'slow', 'active')).toBe(1);
    expect(await connections(proxy, 'slow', 'idle')).toBe(0);
    expect(await connections(proxy, 'slow', 'pending')).toBe(0);
    expect(await connections(proxy, 'other', 'active')).toBe(0);
    held[0]!.end('late');
    expect(await (await answered).text()).toBe('late');
    await new Promise((r) => setTimeout(r, 20));
    expect(await connections(proxy, 'slow', 'active')).toBe(0);
    expect(await connections(proxy, 'slow', 'idle')).toBe(1);
    const text = await (await fetch(proxy.adminUrl + '/metrics')).text();
    expect(text).toContain('# TYPE strangler_upstream_connections gauge');
  });
});
