// The noise probe reads the primary twice; what differs between the two reads is taken for noise.
// A write proxied to the primary between them (a POST adding to the list being read) changes the
// list and its count: that is the store changing, not noise, and learning it would hide a shadow
// whose store lags behind (its list shorter, its count lower) for the rest of the route's life.
// So a probe with a write between its reads learns nothing; a probe in a quiet moment still does.

import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
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

const nextEvent = (p: TestProxy) => once(p.proxy.shadow, 'event').then(([e]) => e as ShadowEvent);

describe('the noise probe and writes', () => {
  it.each([
    ['a POST to the route', '/orders'],
    // A write that reaches the monolith as another route's fallback (its new service refused the
    // connection, so the POST went to the fallback, legacy): a write to the same upstream.
    ["a POST another route's fallback took", '/new'],
  ])('learns nothing from two reads with %s between them; the shadow lagging behind stays a mismatch', async (_name, writeTo) => {
    const items = ['a', 'b'];
    let nonce = 0;
    let holdNext = false;
    const held: (() => void)[] = [];
    let secondReadHeld!: () => void;
    const secondRead = new Promise<void>((r) => (secondReadHeld = r));
    const gets: number[] = [];
    const list = (res: ServerResponse) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ count: items.length, items, at: nonce++ }));
    primary = await startUpstream((req, res) => {
      if (req.method === 'POST') {
        items.push(`i${items.length}`);
        return res.writeHead(201).end();
      }
      gets.push(gets.length);
      if (holdNext && gets.length % 2 === 0) {
        held.push(() => list(res)); // the pair's second read waits
        secondReadHeld();
      } else list(res);
    });
    // The new service's store has not caught up: it lacks what the monolith has since been given.
    shadow = await startUpstream((_req, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ count: 2, items: ['a', 'b'], at: 'x' })));
    proxy = await startProxy(
      upstreamsYaml({ legacy: primary.url, next: shadow.url, gone: `http://127.0.0.1:${await refusedPort()}` }) +
        'routes:\n  - { prefix: /orders, upstream: legacy, shadow: { upstream: next, compare: { noiseProbe: 100 } } }\n' +
        '  - { prefix: /new, upstream: gone, prefixRewrite: /orders, fallback: { upstream: legacy, methods: [POST] } }\n',
    );
    const learned = () => proxy!.logs.filter((l) => l.msg === LOG.shadowNoiseLearned).map((l) => l.paths as string[]);

    // 1. A POST through the proxy lands between the probe's two reads.
    holdNext = true;
    let event = nextEvent(proxy);
    const read = fetch(proxy.url + '/orders').then((r) => r.text());
    await secondRead; // both reads are at the monolith, the second held
    expect((await fetch(proxy.url + writeTo, { method: 'POST', body: '{}' })).status).toBe(201);
    holdNext = false;
    held.shift()!();
    await read;
    expect((await event).result).toBe('mismatch'); // (compared once learning was decided)
    expect(learned()).toEqual([]);

    // 2. A quiet moment: only what really varies is learned.
    event = nextEvent(proxy);
    await (await fetch(proxy.url + '/orders')).text();
    await event;
    expect(learned()).toEqual([['$.at']]);

    // 3. The lagging store is still a difference, not noise.
    event = nextEvent(proxy);
    await (await fetch(proxy.url + '/orders')).text();
    const e = await event;
    expect(e.result).toBe('mismatch');
    expect(e.differences!.map((d) => d.path)).toEqual(['$.count', '$.items[2]']);
    expect(e.noise!.map((d) => d.path)).toEqual(['$.at']);
  });
});
