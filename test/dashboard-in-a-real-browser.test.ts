// GET / (the migration dashboard) in a real browser: headless Chromium (Debian's chromium,
// driven by playwright-core) against a real proxy with real upstreams, like the demo: /users cut
// over to its service, /orders (JSON) and /pages (HTML) shadowed to services that answer a
// little differently, /payments on a canary, the rest on the monolith. Traffic goes through the
// proxy first; then the page, opened with the admin token, shows every route, and a click on a
// route and on one of its mismatches shows both bodies side by side, the difference marked.
// Nothing is asked of anything but the admin origin, and the console stays clean. Screenshots:
// test-artifacts/dashboard.png and test-artifacts/dashboard-detail.png.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openBrowser, type Browser } from './helpers/chromium.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const TOKEN = 'dashboard-test-token';
const PREFIXES = ['/users', '/orders', '/pages', '/payments', '/'];

/** The monolith, or (`rewrite`) a service that answers the same a little differently. */
function app(name: string, rewrite: boolean) {
  return startUpstream((req, res) => {
    const url = req.url ?? '/';
    const id = Number(/\/(\d+)/.exec(url)?.[1] ?? 0);
    if (url.startsWith('/orders/')) {
      // The rewrite sends the total as a string for every third order.
      const total = rewrite && id % 3 === 0 ? String(id * 10) : id * 10;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ id, status: 'paid', total, items: [{ sku: 'A-' + id, qty: 1 }] }));
    } else if (url.startsWith('/pages/')) {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><html><head><title>About</title></head><body><h1>${rewrite ? 'About us' : 'About'}</h1><p class="lead">Since 1999</p></body></html>`);
    } else {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ served: name, path: url }));
    }
  });
}

describe('the dashboard in a real browser', () => {
  const ups: Upstream[] = [];
  let proxy: TestProxy;
  let browser: Browser;

  beforeAll(async () => {
    const [legacy, users, orders, pages, payments] = await Promise.all([app('legacy', false), app('users', false), app('orders', true), app('pages', true), app('payments', false)]);
    ups.push(legacy, users, orders, pages, payments);
    proxy = await startProxy(
      upstreamsYaml({ legacy: legacy.url, users: users.url, orders: orders.url, pages: pages.url, payments: payments.url }) + `
routes:
  - prefix: /users
    upstream: users
    breaker: { consecutiveFailures: 5, halfOpenAfterMs: 10000 }
  - prefix: /orders
    upstream: legacy
    shadow: { upstream: orders }
  - prefix: /pages
    upstream: legacy
    shadow: { upstream: pages }
  - prefix: /payments
    upstream: legacy
    canary: { upstream: payments, percent: 50 }
  - prefix: /
    upstream: legacy
`,
      { adminToken: TOKEN },
    );
    const get = async (p: string) => (await fetch(proxy.url + p)).text();
    for (let i = 1; i <= 12; i++) await Promise.all([get(`/orders/${i}`), get(`/users/${i}`), get(`/payments/${i}`), get('/home')]);
    for (let i = 0; i < 3; i++) await get('/pages/about');
    // The comparisons end off the client's path: wait until both shadowed routes have mismatches.
    await vi.waitFor(() => {
      const mismatches = new Map(proxy.proxy.shadow.reports().map((r) => [r.route, r.mismatch]));
      expect(mismatches.get('/orders')).toBe(4);
      expect(mismatches.get('/pages')).toBe(3);
    }, { timeout: 10_000, interval: 20 });
    browser = await openBrowser(proxy.adminUrl, { authorization: `Bearer ${TOKEN}` });
    await mkdir(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await Promise.all(ups.map((u) => u.close()));
  });

  it('shows every route with its stage, the progress and its chart', async () => {
    const { page } = browser;
    const response = await page.goto(proxy.adminUrl + '/');
    expect(response?.status()).toBe(200);
    await expect(page.title()).resolves.toBe('Migration · strangler');
    await page.locator('#route-rows tr').nth(PREFIXES.length - 1).waitFor();
    await page.locator('#live:not(.bad)', { hasText: 'live' }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });

    const rows = page.locator('#route-rows tr');
    await expect(rows.locator('a.route').allInnerTexts()).resolves.toEqual(PREFIXES);
    for (const prefix of PREFIXES) await expect(page.getByRole('link', { name: prefix, exact: true }).isVisible()).resolves.toBe(true);
    const stage = (prefix: string) => page.locator('#route-rows tr', { has: page.getByRole('link', { name: prefix, exact: true }) }).locator('.badge');
    await expect(stage('/users').textContent()).resolves.toBe('cut over');
    await expect(stage('/orders').textContent()).resolves.toBe('shadowing');
    await expect(stage('/payments').textContent()).resolves.toBe('canary 50%');
    await expect(stage('/').textContent()).resolves.toBe('legacy');
    // 12 of the 51 requests went to /users' service, and some of /payments' to the canary.
    await expect(page.locator('#p-start .detail').textContent()).resolves.toMatch(/^\d+ of 51 requests answered by new services$/);
    await expect(page.locator('#p-routes .detail').textContent()).resolves.toBe('1 of 5 routes cut over');
    await expect(page.locator('#chart-line').getAttribute('d')).resolves.toMatch(/^M\d/);
    expect(browser.problems).toEqual([]);
  });

  it('opens a route, then a JSON mismatch as both bodies side by side with the difference marked', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: '/orders', exact: true }).click();
    await page.locator('#detail:not([hidden]) #d-route', { hasText: /^\/orders$/ }).waitFor();
    await page.locator('#d-samples li').nth(3).waitFor();
    await expect(page.locator('#d-templates tr td').first().textContent()).resolves.toBe('/orders/{id}');
    const first = page.locator('#d-samples li').first();
    await expect(first.locator('.req').textContent()).resolves.toBe('GET /orders/12');
    await expect(first.locator('.curl pre').allTextContents()).resolves.toHaveLength(3);
    await first.getByRole('button', { name: 'show both bodies' }).click();
    const marked = (side: string) => first.locator(`.pane[data-side="${side}"] .ln.hl`).allTextContents();
    await first.locator('.pane[data-side="shadow"]').waitFor();
    await expect(marked('primary')).resolves.toEqual(['  "total": 120,']);
    await expect(marked('shadow')).resolves.toEqual(['  "total": "120",']);
    // Side by side: the two panes on one line, the primary on the left.
    const [a, b] = await Promise.all([first.locator('.pane').nth(0).boundingBox(), first.locator('.pane').nth(1).boundingBox()]);
    expect(a!.y).toBe(b!.y);
    expect(a!.x).toBeLessThan(b!.x);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-detail.png'), fullPage: true });

    // The page refreshes in place: after the next update the same element is there, still open.
    await first.evaluate((li) => li.setAttribute('data-probe', 'kept'));
    const before = await page.locator('#generated').textContent();
    await page.locator('#generated', { hasNotText: before! }).waitFor();
    await expect(page.locator('#d-samples li[data-probe="kept"] .sbs:not([hidden]) .pane').count()).resolves.toBe(2);
    expect(browser.problems).toEqual([]);
  });

  it('marks the differing element of an HTML mismatch', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: /all routes/ }).click();
    await page.getByRole('link', { name: '/pages', exact: true }).click();
    await page.locator('#detail:not([hidden]) #d-route', { hasText: /^\/pages$/ }).waitFor();
    const first = page.locator('#d-samples li').first();
    await first.getByRole('button', { name: 'show both bodies' }).click();
    await first.locator('.pane[data-side="shadow"]').waitFor();
    await expect(first.locator('.pane[data-side="primary"] .ln.hl').allTextContents()).resolves.toEqual(['      About']);
    await expect(first.locator('.pane[data-side="shadow"] .ln.hl').allTextContents()).resolves.toEqual(['      About us']);
    expect(browser.problems).toEqual([]);
  });

  it('asks nothing of anything but the admin origin', () => {
    expect(browser.requested.length).toBeGreaterThan(3);
    expect(browser.requested.filter((u) => !u.startsWith(proxy.adminUrl + '/'))).toEqual([]);
  });
});
