// Sampling and the noise probe draw from an injected random source (default Math.random), so
// the split is proved exactly, without sending thousands of requests and a statistical bound.

import { once } from 'node:events';
import { Pool } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { WriteTally } from '../src/forward/pools.js';
import { Metrics, RouteMeters } from '../src/observability/metrics.js';
import type { ShadowEvent } from '../src/shadow/log-line.js';
import { ShadowTask, type MirrorDeps } from '../src/shadow/mirror.js';
import { ShadowState, type ShadowSettings } from '../src/shadow/state.js';
import { probesNoise, sampled } from '../src/shadow/sampling.js';
import { ShadowReports } from '../src/shadow/store.js';
import { startUpstream, type Upstream } from './helpers/servers.js';

describe('sampled', () => {
  const route = { percent: 10, methods: ['GET', 'HEAD'] };

  it('takes exactly percent of the draws: 100 of the 1,000 evenly spread ones at 10%', () => {
    let taken = 0;
    for (let i = 0; i < 1000; i++) if (sampled(route, 'GET', () => i / 1000)) taken++;
    expect(taken).toBe(100);
    expect(sampled(route, 'GET', () => 0.0999)).toBe(true);
    expect(sampled(route, 'GET', () => 0.1)).toBe(false);
    expect(ShadowTask.sampled(route, 'HEAD', () => 0)).toBe(true);
  });

  it('never draws for an unlisted method or at 100%, and takes nothing at 0%', () => {
    const never = () => {
      throw new Error('drew');
    };
    expect(sampled(route, 'POST', never)).toBe(false);
    expect(sampled({ percent: 100, methods: ['GET'] }, 'GET', never)).toBe(true);
    expect(sampled({ percent: 0, methods: ['GET'] }, 'GET', () => 0)).toBe(false);
  });
});

describe('probesNoise', () => {
  it('probes noiseProbe percent of the safe requests only', () => {
    expect(probesNoise(50, 'GET', () => 0.4999)).toBe(true);
    expect(probesNoise(50, 'GET', () => 0.5)).toBe(false);
    expect(probesNoise(100, 'HEAD', () => 0.9999)).toBe(true);
    expect(probesNoise(0, 'GET', () => 0)).toBe(false);
    expect(probesNoise(100, 'POST', () => 0)).toBe(false);
  });
});

// The task itself, against real upstreams: the handler's part (the primary's answer, relayed)
// is played by the test.
describe('ShadowTask with an injected random source', () => {
  let primary: Upstream | undefined, shadow: Upstream | undefined;
  const pools: Pool[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close()));
    await Promise.all([primary?.close(), shadow?.close()]);
    primary = shadow = undefined;
  });

  const json = (body: unknown) => (_req: unknown, res: import('node:http').ServerResponse) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  };

  async function run(primaryBody: unknown, probeBody: unknown, noiseProbe: number, draws: number[], known: string[] = []) {
    primary = await startUpstream(json(probeBody)); // only the probe reaches it: the test relays the primary
    shadow = await startUpstream(json(primaryBody));
    const pool = (u: Upstream) => {
      const p = new Pool(u.url);
      pools.push(p);
      return { name: u.url, origin: u.url, pool: p, writes: new WriteTally() };
    };
    const settings: ShadowSettings = {
      upstream: pool(shadow), percent: 100, methods: ['GET'], timeoutMs: 5000, maxConcurrent: 10,
      compare: { noiseProbe },
    };
    const metrics = new Metrics();
    const learned: unknown[] = [];
    const drawn: number[] = [];
    const deps: MirrorDeps = {
      reports: new ShadowReports(),
      logger: { info: (o: unknown) => learned.push(o) } as unknown as MirrorDeps['logger'],
      random: () => {
        const v = draws[drawn.length] ?? 0.99;
        drawn.push(v);
        return v;
      },
    };
    const state = new ShadowState(settings);
    state.noise.add(known);
    let noiseDropped!: (n: number) => void;
    const dropped = new Promise<number>((resolve) => (noiseDropped = resolve));
    const meters = new (class extends RouteMeters {
      override shadowNoiseDropped(n: number): void {
        super.shadowNoiseDropped(n);
        noiseDropped(n);
      }
    })(metrics, '/orders');
    const event = once(deps.reports, 'event').then(([e]) => e as ShadowEvent);
    const req = {
      route: '/orders', meters, requestId: 'r1', method: 'GET', clientPath: '/orders/1',
      host: 'shop.test', headers: ['host', 'shop.test'], primaryPath: '/orders/1', shadowPath: '/orders/1',
    };
    const task = ShadowTask.begin(deps, settings, state, req, pool(primary), 1 << 20, false)!;
    const body = Buffer.from(JSON.stringify(primaryBody));
    task.primaryHead(200, [Buffer.from('content-type'), Buffer.from('application/json')]);
    task.primaryData(body);
    task.primaryEnd(true);
    return { event: await event, drawn, learned, metrics, state, dropped };
  }

  it('draws the noise probe from deps.random: a draw under noiseProbe sends the probe to the primary', async () => {
    const body = { id: 1, nonce: 'a' };
    const r = await run(body, { id: 1, nonce: 'b' }, 50, [0.25]);
    expect(r.drawn).toEqual([0.25]);
    expect(r.event).toMatchObject({ result: 'match' });
    if (primary!.received.length === 0) await once(primary!.server, 'request');
    expect(primary!.received.map((q) => [q.method, q.url, q.headers['x-strangler-shadow'] ?? null])).toEqual([['GET', '/orders/1', null]]);
  });

  it('draws once and sends no probe when the draw is over noiseProbe; never draws with noiseProbe 0', async () => {
    const over = await run({ id: 1 }, { id: 1 }, 50, [0.5]);
    expect(over.drawn).toEqual([0.5]);
    await Promise.all(pools.splice(0).map((p) => p.close()));
    await Promise.all([primary?.close(), shadow?.close()]);
    const off = await run({ id: 1 }, { id: 1 }, 0, []);
    expect(off.drawn).toEqual([]);
  });

  it('counts learned noise paths past the route\'s limit in strangler_shadow_noise_dropped_total', async () => {
    const full = Array.from({ length: 200 }, (_, i) => `$.known${i}`);
    const r = await run({ a: 1, b: 1, c: 1 }, { a: 2, b: 2, c: 1 }, 100, [0], full);
    expect(await r.dropped).toBe(2);
    expect(r.state.noise.dropped).toBe(2);
    expect(r.state.noise.has('$.a')).toBe(false);
    expect(await r.metrics.registry.metrics()).toContain('strangler_shadow_noise_dropped_total{route="/orders"} 2');
  });
});
