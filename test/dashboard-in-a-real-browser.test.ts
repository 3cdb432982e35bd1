// GET / (the migration dashboard) in a real browser: headless Chromium (Debian's chromium,
// driven by playwright-core) against the demo stack in this process (the legacy monolith, the
// users and orders services, a real proxy with the repository's routes.yaml and the admin
// token) after `npm run traffic`'s mix went through it. The page, opened with the token, shows
// every route of the table with its stage and the migration's progress; a click on /orders and
// one on a mismatch show both bodies side by side, the differing fields marked; the page then
// refreshes in place (the opened mismatch stays open). Nothing is asked of anything but the
// admin origin, and the console stays clean. Screenshots: test-artifacts/dashboard.png and
// test-artifacts/dashboard-detail.png.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openBrowser, type Browser } from './helpers/chromium.js';
import { startDemoStack, type DemoStack } from './helpers/demo-stack.js';

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const TOKEN = 'dashboard-test-token';
/** The routes of routes.yaml, in its order. */
const PREFIXES = ['/users', '/users/me', '/orders', '/'];

describe('the dashboard in a real browser, on the demo stack', () => {
  let demo: DemoStack;
  let browser: Browser;
  let admin: string;

  beforeAll(async () => {
    demo = await startDemoStack({ adminToken: TOKEN });
    admin = demo.proxy.adminUrl;
    const sent = await demo.traffic(200);
    expect(sent.failed).toBe(0);
    // The comparisons end off the client's path: wait until every mirrored request has its event.
    await vi.waitFor(() => {
      const orders = demo.proxy.proxy.shadow.reports().find((r) => r.route === '/orders');
      expect(orders?.mirrored).toBe(sent.mirrored);
    }, { timeout: 10_000, interval: 20 });
    browser = await openBrowser(admin, { authorization: `Bearer ${TOKEN}` });
    await mkdir(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  it('shows every route with its stage, and the progress with its chart', async () => {
    // Like every admin endpoint, the page needs the token (the browser sends it: extraHTTPHeaders).
    expect((await fetch(admin + '/')).status).toBe(401);
    const { page } = browser;
    const response = await page.goto(admin + '/');
    expect(response?.status()).toBe(200);
    await expect(page.title()).resolves.toBe('Migration · strangler');
    await page.locator('#overview:not([hidden]) #route-rows tr').nth(PREFIXES.length - 1).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });

    await expect(page.locator('#route-rows a.route').allTextContents()).resolves.toEqual(PREFIXES);
    for (const prefix of PREFIXES) await expect(page.getByRole('link', { name: prefix, exact: true }).isVisible()).resolves.toBe(true);
    const row = (prefix: string) => page.locator('#route-rows tr', { has: page.getByRole('link', { name: prefix, exact: true }) });
    await expect(row('/users').locator('.badge').textContent()).resolves.toBe('cut over');
    await expect(row('/orders').locator('.badge').textContent()).resolves.toBe('shadowing');
    await expect(row('/').locator('.badge').textContent()).resolves.toBe('legacy');
    await expect(row('/orders').locator('td').nth(6).textContent()).resolves.toMatch(/^not enough data · \d+\.\d% match/);
    await expect(page.locator('#p-start .detail').textContent()).resolves.toMatch(/^\d+ of 200 requests answered by new services$/);
    await expect(page.locator('#p-routes .detail').textContent()).resolves.toMatch(/^\d of 4 routes cut over$/);
    await expect(page.locator('#chart-line').getAttribute('d')).resolves.toMatch(/^M\d/);
    await expect(page.locator('#live').getAttribute('class')).resolves.toBe('state');
    expect(browser.problems).toEqual([]);
  });

  it('opens /orders, then a mismatch as both bodies side by side with the differences marked', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: '/orders', exact: true }).click();
    await page.locator('#detail:not([hidden]) #d-route', { hasText: /^\/orders$/ }).waitFor();
    await expect(page.locator('#d-templates tr td:first-child').allTextContents()).resolves.toContain('/orders/{id}');
    // Its figures are of the kept mismatches and examples, and say so (not "seen": not a count).
    await expect(page.locator('table:has(#d-templates) th').allTextContents()).resolves.toEqual(['endpoint', 'in those', 'distinct paths', 'example']);
    const sample = page.locator('#d-samples li', { has: page.locator('.req', { hasText: /^GET \/orders\/[1-4]$/ }) }).first();
    // Copyable curl lines: through the proxy, and straight to each side.
    await sample.getByText('curl lines: through the proxy, straight to each side').click();
    const curls = await sample.locator('.curl pre').allInnerTexts();
    expect(curls).toHaveLength(3);
    expect(curls[0]).toMatch(/^curl '?http:\/\/127\.0\.0\.1:\d+\/orders\/[1-4]'? /);
    expect(curls[2]).toContain("-H 'x-strangler-shadow: 1'");
    await expect(sample.getByRole('button', { name: 'copy' }).first().isVisible()).resolves.toBe(true);
    await sample.getByRole('button', { name: 'show both bodies' }).click();
    await sample.locator('.pane[data-side="shadow"]').waitFor();
    const marked = async (side: string) => (await sample.locator(`.pane[data-side="${side}"] .ln.hl`).allTextContents()).join('\n');
    // The orders service renamed userId, sends createdAt as a number and adds servedAt.
    await expect(marked('primary')).resolves.toMatch(/"userId": \d+/);
    await expect(marked('primary')).resolves.toMatch(/"createdAt": "/);
    await expect(marked('shadow')).resolves.toMatch(/"user_id": \d+/);
    await expect(marked('shadow')).resolves.toMatch(/"createdAt": \d+/);
    await expect(marked('shadow')).resolves.toMatch(/"servedAt": /);
    await expect(sample.locator('.pane[data-side="primary"] .ln:not(.hl)', { hasText: /"id": \d+/ }).count()).resolves.toBe(1);
    // Side by side: the two panes on one line, the primary on the left.
    const [a, b] = await Promise.all([sample.locator('.pane').nth(0).boundingBox(), sample.locator('.pane').nth(1).boundingBox()]);
    expect(a!.y).toBe(b!.y);
    expect(a!.x).toBeLessThan(b!.x);
    await sample.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-detail.png'), fullPage: true });

    // The page refreshes in place: after the next update the same element is there, still open.
    await sample.evaluate((li) => li.setAttribute('data-probe', 'kept'));
    const before = await page.locator('#generated').textContent();
    await page.locator('#generated', { hasNotText: before! }).waitFor();
    await expect(page.locator('#d-samples li[data-probe="kept"] .sbs:not([hidden]) .pane').count()).resolves.toBe(2);
    expect(browser.problems).toEqual([]);
  });

  it('asks nothing of anything but the admin origin', () => {
    expect(browser.requested.length).toBeGreaterThan(3);
    expect(browser.requested.filter((u) => !u.startsWith(admin + '/'))).toEqual([]);
  });
});
