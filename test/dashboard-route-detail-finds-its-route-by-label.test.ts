// The dashboard's route detail finds its route by label (host + prefix), as /status, the shadow
// reports and the kept bodies name it: two hosts with the same prefix open each its own detail,
// and a host route's shadow report and bodies are found. And an open detail's poll never carries
// mismatch bodies (up to megabytes per worker): the bodies of one mismatch are asked for when it
// is opened, and the admin answers with that one only.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDashboardPage } from '../src/admin/dashboard/page.js';
import { dashboardRoutes } from '../src/admin/dashboard/routes.js';
import { ShadowReports } from '../src/shadow/store.js';
import type { ShadowEvent } from '../src/shadow/log-line.js';
import type { MigrationStatus } from '../src/status/types.js';
import { openBrowser, type Browser } from './helpers/chromium.js';

const A = 'a.example/orders';
const B = 'b.example/orders';
const side = (upstream: string) => [{ upstream, role: 'primary' as const, requests: 5, rps: 1, errorRate: 0, p99Ms: 12 }];
const status: MigrationStatus = {
  version: 'v1', generatedAt: '2025-03-04T05:00:00.000Z', legacyUpstream: 'legacy',
  progress: {
    last5m: { requests: 10, nonLegacy: 0, share: 0 }, sinceStart: { requests: 10, nonLegacy: 0, share: 0 },
    routes: { total: 2, cutOver: 0, share: 0 }, series: [],
  },
  routes: [
    { label: A, prefix: '/orders', host: 'a.example', stage: 'legacy', stageText: 'legacy', upstream: 'legacy-a', sides: side('legacy-a'), fallbacks: 0 },
    { label: B, prefix: '/orders', host: 'b.example', stage: 'shadow', stageText: 'shadowing', upstream: 'legacy-b', sides: side('legacy-b'), fallbacks: 0,
      shadow: { upstream: 'orders-b', verdict: 'not enough data', matchRate: 0.5, compared: 2, match: 1, mismatch: 1, errors: 0, skipped: 0 } },
  ],
  reloads: [], ready: [],
} as unknown as MigrationStatus;
const at = '2025-03-04T05:00:00.000Z';
const sample = { at, method: 'GET', path: '/orders/7', primaryStatus: 200, shadowStatus: 200, differingPaths: ['$.n'], curl: 'curl x' };
const report = {
  generatedAt: at,
  routes: [{
    route: B,
    summary: {
      route: B, since: at, mirrored: 2, compared: 2, match: 1, mismatch: 1, shadowError: 0, skipped: {}, matchRate: 0.5,
      verdict: 'not enough data', verdictText: 'not enough data', topPaths: [], noisePaths: [], samples: [sample],
      latency: { primary: { count: 1, p50: 1, p95: 1, p99: 1 }, shadow: { count: 1, p50: 2, p95: 2, p99: 2 } },
    },
  }],
};
const mismatch = (path: string, n: number, second: number): ShadowEvent => ({
  at: new Date(Date.parse(at) + second * 1000).toISOString(), route: B, result: 'mismatch', method: 'GET', path,
  primaryStatus: 200, shadowStatus: 200, differences: [{ path: '$.n', kind: 'value', primary: n, shadow: String(n) }],
});
const answer = (body: string) => ({ status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) });

describe('the route detail, by label', () => {
  let server: http.Server;
  let origin: string;
  let browser: Browser;

  beforeAll(async () => {
    const shadow = new ShadowReports();
    shadow.bodies.keep(mismatch('/orders/7', 7, 0), 'json', answer('{"n":7}'), answer('{"n":"7"}'));
    shadow.bodies.keep(mismatch('/orders/8', 8, 1), 'json', answer('{"n":8}'), answer('{"n":"8"}'));
    const app = express();
    app.get('/status', (_req, res) => { res.json(status); });
    app.get('/shadow/report', (_req, res) => { res.json(report); });
    app.use(dashboardRoutes(shadow));
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await openBrowser(origin);
    expect(renderDashboardPage()).toContain('<script');
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('opens each host\'s own detail when two hosts share a prefix', async () => {
    const { page } = browser;
    await page.goto(origin + '/');
    await page.locator('#route-rows tr').nth(1).waitFor();
    await page.locator('#route-rows tr', { hasText: 'host a.example' }).locator('a.route').click();
    await page.locator('#d-no-shadow').waitFor();
    await expect(page.locator('#d-route').innerText()).resolves.toBe(A);
    await expect(page.locator('#d-facts').innerText()).resolves.toContain('answered by legacy-a');
    await page.goto(origin + '/');
    await page.locator('#route-rows tr', { hasText: 'host b.example' }).locator('a.route').click();
    await page.locator('#d-samples li').waitFor();
    await expect(page.locator('#d-route').innerText()).resolves.toBe(B);
    await expect(page.locator('#d-facts').innerText()).resolves.toContain('answered by legacy-b');
    await expect(page.locator('#d-no-shadow').isHidden()).resolves.toBe(true);
    // The host route's kept bodies are found.
    await page.getByRole('button', { name: 'show both bodies' }).click();
    await page.locator('.sbs .pane').first().waitFor();
    const marked = await page.locator('.pane[data-side="shadow"] .ln.hl').allInnerTexts();
    expect(marked.map((t) => t.trim())).toEqual(['"n": "7"']);
    expect(browser.problems).toEqual([]);
  });

  it('fetches no bodies on the poll, and one mismatch\'s bodies when it is opened', async () => {
    const { page } = browser;
    const start = browser.requested.length;
    const requested = () => browser.requested.slice(start);
    // A fresh page on B's detail.
    await page.goto(origin + '/#route=' + encodeURIComponent(B));
    await page.reload();
    await page.locator('#d-samples li').waitFor();
    const asks = (p: string) => requested().filter((u) => u.startsWith(origin + p)).length;
    const before = [asks('/status'), asks('/shadow/report')] as const;
    // The next poll, now (the page polls again when it becomes visible).
    await page.evaluate('document.dispatchEvent(new Event("visibilitychange"))');
    await expect.poll(() => asks('/status')).toBeGreaterThan(before[0]);
    await expect.poll(() => asks('/shadow/report')).toBeGreaterThan(before[1]);
    expect(requested().filter((u) => u.includes('/shadow/mismatches'))).toEqual([]);

    const answered = page.waitForResponse((r) => r.url().includes('/shadow/mismatches'));
    await page.getByRole('button', { name: 'show both bodies' }).click();
    const res = await answered;
    const url = new URL(res.url());
    expect(Object.fromEntries(url.searchParams)).toEqual({ route: B, at, method: 'GET', path: '/orders/7' });
    const body = (await res.json()) as { mismatches: { path: string }[] };
    expect(body.mismatches.map((m) => m.path)).toEqual(['/orders/7']);
    await page.locator('.sbs .pane').first().waitFor();
    const marked = await page.locator('.pane[data-side="shadow"] .ln.hl').allInnerTexts();
    expect(marked.map((t) => t.trim())).toEqual(['"n": "7"']);
    expect(browser.problems).toEqual([]);
  });
});
