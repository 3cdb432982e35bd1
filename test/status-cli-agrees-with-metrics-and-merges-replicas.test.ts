// `strangler status`: two replicas' GET /status/input merged by the same merge as the workers'
// (counts add, histograms merge); its --json and its table agree with the two /metrics added up.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { metric, refusing } from './helpers/misbehaving.js';
import { closedPort, startProxy, type TestProxy, type Upstream } from './helpers/servers.js';
import { answering, sendTraffic, statusYaml } from './helpers/status-fixture.js';
import type { MigrationStatus } from '../src/status/types.js';

const TOKEN = 'status-cli-s3cret';

describe('strangler status over two replicas', () => {
  let legacy: Upstream, users: Upstream, orders: Upstream;
  const proxies: TestProxy[] = [];
  beforeAll(async () => {
    [legacy, users, orders] = await Promise.all([answering('legacy'), answering('users'), answering('orders')]);
    const gone = await refusing();
    for (let i = 0; i < 2; i++) proxies.push(await startProxy(statusYaml(legacy.url, users.url, orders.url, gone.url)));
    for (const p of proxies) {
      let events = 0;
      const shadowsDone = new Promise<void>((resolve) => p.proxy.shadow.on('event', () => ++events === 50 && resolve()));
      await sendTraffic(p.url);
      await shadowsDone;
    }
    await fetch(proxies[0]!.url + '/home/extra').then((r) => r.arrayBuffer()); // the replicas differ
  });
  afterAll(async () => {
    for (const p of proxies) await p.close();
    await Promise.all([legacy?.close(), users?.close(), orders?.close()]);
  });

  const both = async (labels: Record<string, string>): Promise<number> =>
    (await metric(proxies[0]!.adminUrl, 'strangler_requests_total', labels)) + (await metric(proxies[1]!.adminUrl, 'strangler_requests_total', labels));

  it('--json: every side counts what both /metrics count', async () => {
    const r = await cli(['status', '--admin', proxies[0]!.adminUrl, '--admin', proxies[1]!.adminUrl, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out) as MigrationStatus;
    for (const route of s.routes) {
      for (const side of route.sides.filter((x) => x.role !== 'shadow')) {
        expect([route.label, side.upstream, side.requests]).toEqual([route.label, side.upstream, await both({ route: route.label, upstream: side.upstream })]);
      }
    }
    const total = await both({});
    const byLegacy = await both({ upstream: 'legacy' });
    expect(total).toBe(129);
    expect(s.progress.sinceStart).toEqual({ requests: total, nonLegacy: total - byLegacy, share: (total - byLegacy) / total });
    expect(s.routes.find((x) => x.label === '/gone')!.fallbacks).toBe(8);
    expect(s.routes.find((x) => x.label === '/orders')!.shadow).toMatchObject({ compared: 40 });
    expect(s.progress.series.reduce((n, p) => n + p.requests, 0)).toBe(total);
  });

  it('prints a table: progress, a row per side, what is ready; no colour off a TTY', async () => {
    const r = await cli(['status', '--admin', proxies[0]!.adminUrl, '--admin', proxies[1]!.adminUrl]);
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/\x1b\[/);
    const total = await both({});
    const off = total - (await both({ upstream: 'legacy' }));
    expect(r.out).toContain(`answered off legacy: ${(Math.floor((off / total) * 1000) / 10).toFixed(1)}% (${off} of ${total}) over the last 5 minutes`);
    expect(r.out).toContain('routes cut over: 2 of 4 (50.0%)');
    expect(r.out).toMatch(/^ROUTE\s+STAGE\s+SIDE\s+UPSTREAM\s+REQ\/S\s+ERRORS\s+P99\s+SHADOW\s+CANARY\s+BREAKER\s+FALLBACKS$/m);
    expect(r.out).toMatch(/^\/users\s+cut over\s+primary\s+users\s+[\d.]+\s+0\.0%\s+[\d.]+ ms\s+not enough data, 100\.0% of 60\s+-\s+-\s+0$/m);
    // A dead service behind its fallback: every try failed and was answered by the fallback.
    expect(r.out).toMatch(/^\/gone\s+cut over\s+primary\s+gone\s+0\.00\s+100\.0% \(8 fell back\)\s+-\s+-\s+-\s+-\s+8$/m);
    expect(r.out).toMatch(/^\s+fallback\s+legacy\s+[\d.]+\s+0\.0%/m);
    expect(r.out).toMatch(/^\/\s+legacy\s+primary\s+legacy\s+[\d.]+\s+28\.5%/m); // 6 of 21 (rounded down)
    expect(r.out).toContain('ready to cut over: nothing yet');
  });

  it('names a replica that fails and prints nothing', async () => {
    const gone = { url: `http://127.0.0.1:${await closedPort()}` }; // (an admin port moved away)
    const r = await cli(['status', '--admin', proxies[0]!.adminUrl, '--admin', gone.url]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain(`${gone.url}/status/input: cannot connect`);
    // (what to try: the proxy may be down, or listen elsewhere: a moved ADMIN_PORT)
    expect(r.err).toContain('nothing listens there: is the proxy running, and is that its admin address? (--admin URL or ADMIN_PORT names another)');
  });

  it('sends --token as a bearer token', async () => {
    const guarded = await startProxy(statusYaml(legacy.url, users.url, orders.url, legacy.url), { adminToken: TOKEN });
    try {
      expect((await cli(['status', '--admin', guarded.adminUrl])).err).toContain('401');
      const r = await cli(['status', '--admin', guarded.adminUrl, '--token', TOKEN, '--json']);
      expect(r.code).toBe(0);
      expect((JSON.parse(r.out) as MigrationStatus).routes).toHaveLength(4);
    } finally {
      await guarded.close();
    }
  });
});
