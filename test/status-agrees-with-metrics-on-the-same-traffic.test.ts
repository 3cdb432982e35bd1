// GET /status through a real proxy with real upstreams: every route's stage, its sides' request
// and error counts, the fallbacks and the migration's progress agree with /metrics on the same
// traffic (strangler_requests_total, strangler_fallbacks_total, strangler_shadow_comparisons_total).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric, refusing } from './helpers/misbehaving.js';
import { startProxy, type TestProxy, type Upstream } from './helpers/servers.js';
import { answering, sendTraffic, statusYaml } from './helpers/status-fixture.js';
import type { MigrationStatus, RouteStatus } from '../src/status/types.js';


const route = (s: MigrationStatus, label: string): RouteStatus => s.routes.find((r) => r.label === label)!;

describe('GET /status agrees with /metrics on the same traffic', () => {
  let legacy: Upstream, users: Upstream, orders: Upstream, proxy: TestProxy;
  let status: MigrationStatus;
  beforeAll(async () => {
    [legacy, users, orders] = await Promise.all([answering('legacy'), answering('users'), answering('orders')]);
    const gone = await refusing();
    proxy = await startProxy(statusYaml(legacy.url, users.url, orders.url, gone.url));
    let events = 0;
    const shadowsDone = new Promise<void>((resolve) => proxy.proxy.shadow.on('event', () => ++events === 50 && resolve()));
    await sendTraffic(proxy.url);
    await shadowsDone;
    const r = await fetch(proxy.adminUrl + '/status');
    expect(r.status).toBe(200);
    status = (await r.json()) as MigrationStatus;
  });
  afterAll(async () => {
    await proxy?.close();
    await Promise.all([legacy?.close(), users?.close(), orders?.close()]);
  });

  it('names each route by its stage, the legacy upstream being the one named legacy', () => {
    expect(status.legacyUpstream).toBe('legacy');
    expect(status.routes.map((r) => [r.label, r.stageText, r.upstream])).toEqual([
      ['/users', 'cut over', 'users'],
      ['/orders', 'shadowing', 'legacy'],
      ['/gone', 'cut over', 'gone'],
      ['/', 'legacy', 'legacy'],
    ]);
  });

  it('counts each side as strangler_requests_total does, errors as its 5xx', async () => {
    for (const r of status.routes) {
      for (const side of r.sides.filter((s) => s.role !== 'shadow')) {
        const answered = await metric(proxy.adminUrl, 'strangler_requests_total', { route: r.label, upstream: side.upstream });
        // (the fallback's answers are the route's requests whose upstream label is the fallback)
        expect([r.label, side.upstream, side.requests]).toEqual([r.label, side.upstream, answered]);
      }
      const all = await metric(proxy.adminUrl, 'strangler_requests_total', { route: r.label });
      expect(r.sides.filter((s) => s.role !== 'shadow').reduce((n, s) => n + s.requests, 0)).toBe(all);
    }
    const home = route(status, '/').sides.find((s) => s.role === 'primary')!;
    expect(home.requests).toBe(10);
    expect(home.errorRate).toBeCloseTo((await metric(proxy.adminUrl, 'strangler_requests_total', { route: '/', status: '500' })) / 10, 9);
    expect(home.errorRate).toBeCloseTo(0.3, 9);
    expect(home.p99Ms).toBeGreaterThan(0);
  });

  it('counts the fallbacks as strangler_fallbacks_total does, on the fallback side', async () => {
    const gone = route(status, '/gone');
    expect(gone.fallbacks).toBe(await metric(proxy.adminUrl, 'strangler_fallbacks_total', { route: '/gone' }));
    expect(gone.fallbacks).toBe(4);
    expect(gone.sides.find((s) => s.role === 'fallback')).toMatchObject({ upstream: 'legacy', requests: 4 });
  });

  it('counts the shadow side as strangler_shadow_comparisons_total does, with the verdict', async () => {
    for (const label of ['/users', '/orders']) {
      const r = route(status, label);
      const compared = (await metric(proxy.adminUrl, 'strangler_shadow_comparisons_total', { route: label })) -
        (await metric(proxy.adminUrl, 'strangler_shadow_comparisons_total', { route: label, result: 'skipped' }));
      expect(r.sides.find((s) => s.role === 'shadow')!.requests).toBe(compared);
      expect(r.shadow).toMatchObject({ compared, verdict: 'not enough data' });
    }
    expect(route(status, '/orders').shadow).toMatchObject({ upstream: 'orders', compared: 20 });
  });

  it('gives the progress: the share answered by upstreams other than legacy, and routes cut over', async () => {
    const total = await metric(proxy.adminUrl, 'strangler_requests_total');
    const byLegacy = await metric(proxy.adminUrl, 'strangler_requests_total', { upstream: 'legacy' });
    const expected = { requests: total, nonLegacy: total - byLegacy, share: (total - byLegacy) / total };
    expect(status.progress.last5m).toEqual(expected);
    expect(status.progress.sinceStart).toEqual(expected);
    expect(expected).toEqual({ requests: 64, nonLegacy: 30, share: 30 / 64 });
    expect(status.progress.routes).toEqual({ total: 4, cutOver: 2, share: 0.5 });
    expect(status.progress.series.reduce((n, p) => n + p.requests, 0)).toBe(64);
    expect(status.progress.series.reduce((n, p) => n + p.nonLegacy, 0)).toBe(30);
  });
});
