// GET /shadow/report: the shadow report as JSON, per route ({ route, report, summary }), behind
// the admin token; the report is the mergeable value, the summary what a person reads from it.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShadowEvent } from '../src/shadow/log-line.js';
import { mergeAll } from '../src/shadow/merge.js';
import type { ShadowReport } from '../src/shadow/report.js';
import { summarize, type ReportSummary } from '../src/shadow/summary.js';
import { startProxy, startUpstream, type TestProxy, type Upstream } from './helpers/servers.js';
import { at, shadowedRoutesYaml } from './helpers/shadow-fixture.js';

const TOKEN = 'report-s3cret';
const AUTH = { authorization: `Bearer ${TOKEN}` };

/** /orders: 1,200 compared, 3 of them mismatches, plus 4 skipped as too large. */
function orderEvents(): ShadowEvent[] {
  const events: ShadowEvent[] = [];
  const mismatchAt = new Map<number, ShadowEvent['differences']>([
    [100, [{ path: '$.items[0].user_id', kind: 'value', primary: 17, shadow: '17' }, { path: '$.createdAt', kind: 'value', primary: '2025-03-04T05:00:00Z', shadow: '2025-03-04T05:00:00.000Z' }]],
    [500, [{ path: '$.items[2].user_id', kind: 'value', primary: 4, shadow: '4' }]],
    [900, [{ path: '$.createdAt', kind: 'missing', primary: '2025-03-04T05:15:00Z', shadow: undefined }]],
  ]);
  for (let i = 0; i < 1200; i++) {
    const differences = mismatchAt.get(i);
    events.push({
      at: at(i),
      route: '/orders',
      result: differences ? 'mismatch' : 'match',
      method: 'GET',
      path: `/orders/${i}`,
      primaryStatus: 200,
      shadowStatus: 200,
      ...(differences ? { differences, curl: `curl 'http://127.0.0.1:8080/orders/${i}'` } : {}),
      primaryMs: 20 + (i % 10),
      shadowMs: 30 + (i % 10),
    });
  }
  for (let i = 0; i < 4; i++) {
    events.push({ at: at(1200 + i), route: '/orders', result: 'skipped', reason: 'too_large', method: 'GET', path: '/orders/big', primaryStatus: 200, shadowStatus: null });
  }
  return events;
}

interface Body {
  generatedAt: string;
  routes: { route: string; report: ShadowReport; summary: ReportSummary }[];
}

describe('GET /shadow/report', () => {
  let up: Upstream, proxy: TestProxy;
  beforeAll(async () => {
    up = await startUpstream((_req, res) => res.end('ok'));
    proxy = await startProxy(shadowedRoutesYaml(up.url), { adminToken: TOKEN });
  });
  afterAll(async () => {
    await proxy?.close();
    await up?.close();
  });

  it('needs the admin token, like every admin endpoint but /healthz and /readyz', async () => {
    for (const path of ['/shadow/report', '/shadow']) {
      const denied = await fetch(proxy.adminUrl + path);
      expect(denied.status).toBe(401);
      expect(await denied.json()).toMatchObject({ error: 'unauthorized' });
    }
  });

  it('lists every shadowing route, "no comparisons yet" ones included, before any traffic', async () => {
    const r = await fetch(proxy.adminUrl + '/shadow/report', { headers: AUTH });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await r.json()) as Body;
    expect(Number.isNaN(Date.parse(body.generatedAt))).toBe(false);
    expect(body.routes.map((x) => x.route)).toEqual(['/orders', '/users']);
    for (const x of body.routes) {
      expect(x.report).toMatchObject({ route: x.route, mirrored: 0, match: 0, mismatch: 0, shadowError: 0, skipped: {}, samples: [] });
      expect(x.summary).toMatchObject({ verdict: 'not enough data', verdictText: 'not enough data: no requests compared yet', matchRate: null });
    }
  });

  it('answers the counts, the verdict, the differing paths and the samples of the recorded events', async () => {
    for (const e of orderEvents()) proxy.proxy.shadow.record(e);

    const body = (await (await fetch(proxy.adminUrl + '/shadow/report', { headers: AUTH })).json()) as Body;
    expect(body.routes.map((x) => x.route)).toEqual(['/orders', '/users']);
    const orders = body.routes[0]!;

    expect(orders.report).toMatchObject({ route: '/orders', mirrored: 1204, match: 1197, mismatch: 3, shadowError: 0, skipped: { too_large: 4 } });
    expect(orders.report.topPaths['$.items[*].user_id']).toEqual({
      count: 2,
      example: { at: at(100), request: { method: 'GET', path: '/orders/100' }, path: '$.items[0].user_id', kind: 'value', primary: 17, shadow: '17' },
    });
    expect(orders.report.topPaths['$.createdAt']!.count).toBe(2);

    expect(orders.summary).toMatchObject({
      route: '/orders',
      compared: 1200,
      verdict: 'ready',
      verdictText: 'ready: 99.7% match over 1,200 requests',
      matchRate: 1197 / 1200,
    });
    expect(orders.summary.topPaths.map((p) => [p.path, p.count])).toEqual([['$.createdAt', 2], ['$.items[*].user_id', 2]]);
    expect(orders.summary.samples.map((s) => s.path)).toEqual(['/orders/900', '/orders/500', '/orders/100']); // newest first
    expect(orders.summary.samples[2]).toMatchObject({
      method: 'GET',
      primaryStatus: 200,
      shadowStatus: 200,
      differingPaths: ['$.items[0].user_id', '$.createdAt'],
      curl: "curl 'http://127.0.0.1:8080/orders/100'",
    });
    expect(orders.summary.latency.primary.count).toBe(1200);
    expect(orders.summary.latency.primary.p50).toBeGreaterThanOrEqual(20);
    expect(orders.summary.latency.shadow.p50).toBeGreaterThan(orders.summary.latency.primary.p50!);

    // The summary is summarize() of the report, and the report stays a value that merges.
    expect(orders.summary).toEqual(summarize(orders.report));
    const twice = mergeAll([orders.report, orders.report]);
    expect(twice).toMatchObject({ mirrored: 2408, match: 2394, mismatch: 6 });

    expect(body.routes[1]!.summary.verdictText).toBe('not enough data: no requests compared yet');
  });

  it('serves the same report as an HTML page at /shadow', async () => {
    const r = await fetch(proxy.adminUrl + '/shadow', { headers: AUTH });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await r.text();
    expect(html).toContain('ready: 99.7% match over 1,200 requests');
    expect(html).toContain('no comparisons yet');
  });
});
