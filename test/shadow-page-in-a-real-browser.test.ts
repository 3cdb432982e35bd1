// GET /shadow in a real browser: headless Chromium (Debian's `chromium`, driven by
// playwright-core) loads the page from a real admin server and we check what a person sees
// during a cutover: the route card, the verdict, the match rate, a differing path with its
// example, the noise, the last mismatches with a curl to copy, a route still waiting for data.
// The page must work offline: the browser asks the admin server for the page and nothing else,
// and nothing is blocked by the page's Content-Security-Policy (a blocked script or style shows
// up as a console error). A screenshot is left in test-artifacts/shadow-page.png.

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShadowEvent } from '../src/shadow/log-line.js';
import { startProxy, startUpstream, type TestProxy, type Upstream } from './helpers/servers.js';
import { at, shadowedRoutesYaml } from './helpers/shadow-fixture.js';

// Debian's chromium (.ci/run installs it). Code that runs in the page is passed as text where it
// names DOM globals: the tsconfig has no DOM library.
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));

/** /orders: 1,200 compared, 3 mismatches on $.items[*].user_id / $.createdAt; some noise and skips. */
function orderEvents(): ShadowEvent[] {
  const mismatches = new Map<number, NonNullable<ShadowEvent['differences']>>([
    [100, [
      { path: '$.items[0].user_id', kind: 'value', primary: 17, shadow: '17' },
      { path: '$.createdAt', kind: 'value', primary: '2025-03-04T05:01:40Z', shadow: '2025-03-04T05:01:40.000Z' },
    ]],
    [500, [{ path: '$.items[2].user_id', kind: 'value', primary: 4, shadow: '4' }]],
    [900, [{ path: '$.createdAt', kind: 'missing', primary: '2025-03-04T05:15:00Z', shadow: undefined }]],
  ]);
  const events: ShadowEvent[] = [];
  for (let i = 0; i < 1200; i++) {
    const differences = mismatches.get(i);
    events.push({
      at: at(i),
      route: '/orders',
      result: differences ? 'mismatch' : 'match',
      method: 'GET',
      path: `/orders/${i}?expand=items`,
      primaryStatus: 200,
      shadowStatus: 200,
      ...(differences
        ? { differences, curl: `curl 'http://127.0.0.1:8080/orders/${i}?expand=items' -H 'Accept: application/json' -H 'Authorization: <redacted>'` }
        : {}),
      ...(i % 100 === 7 ? { noise: [{ path: '$.requestId' }] } : {}),
      primaryMs: 18 + (i % 17),
      shadowMs: 25 + ((i * 7) % 31),
    });
  }
  for (let i = 0; i < 6; i++) {
    events.push({
      at: at(1200 + i),
      route: '/orders',
      result: 'skipped',
      reason: i < 4 ? 'too_large' : 'max_concurrent',
      method: 'GET',
      path: '/orders/export',
      primaryStatus: 200,
      shadowStatus: null,
    });
  }
  return events;
}

describe('the /shadow page in a real browser', () => {
  let up: Upstream;
  let proxy: TestProxy;
  let userDataDir: string;
  let context: BrowserContext;
  let page: Page;
  const requested: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    up = await startUpstream((_req, res) => res.end('ok'));
    proxy = await startProxy(shadowedRoutesYaml(up.url));
    for (const e of orderEvents()) proxy.proxy.shadow.record(e);

    userDataDir = await mkdtemp(path.join(tmpdir(), 'strangler-chromium-'));
    // This machine's network is closed: no first-run, sync, component or background traffic.
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 900 },
      colorScheme: 'light',
      timeout: 20_000,
    });
    context.on('request', (r) => requested.push(r.url()));
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    const response = await page.goto(proxy.adminUrl + '/shadow', { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    // For a person to look at (taken first, so it exists even when an assertion below fails).
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'shadow-page.png'), fullPage: true });
  });

  afterAll(async () => {
    await context?.close();
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
    await proxy?.close();
    await up?.close();
  });

  it('shows the route card with its verdict, match rate and counts', async () => {
    await expect(page.title()).resolves.toBe('Shadow report · strangler');
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Shadow report');
    await expect(page.locator('.page-head .generated').innerText()).resolves.toMatch(/^generated \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    await expect(page.getByRole('link', { name: /Refresh/ }).isVisible()).resolves.toBe(true);

    const card = page.locator('section.card', { has: page.getByRole('heading', { level: 2, name: '/orders', exact: true }) });
    await expect(card.isVisible()).resolves.toBe(true);
    await expect(card.locator('.badge').innerText()).resolves.toMatch(/^ready$/i);
    // Colour-coded: the ready badge is green.
    await expect(page.evaluate<string>(`getComputedStyle(document.querySelector('section.card[data-route="/orders"] .badge')).color`)).resolves.toBe('rgb(26, 127, 55)');
    await expect(page.evaluate<string>(`getComputedStyle(document.querySelector('section.card[data-route="/users"] .badge')).color`)).resolves.not.toBe('rgb(26, 127, 55)');
    await expect(card.locator('.verdict-text').innerText()).resolves.toBe('ready: 99.7% match over 1,200 requests');
    // One page family: each card leads to its route's detail on the dashboard.
    await expect(card.getByRole('link', { name: 'on the dashboard' }).getAttribute('href')).resolves.toBe('/#route=%2Forders');
    await expect(page.getByRole('navigation', { name: 'pages' }).getByRole('link', { name: 'Dashboard' }).getAttribute('href')).resolves.toBe('/');

    const stat = (label: string) => card.locator('.stat', { has: page.locator('dt', { hasText: new RegExp(`^${label}$`, 'i') }) }).locator('dd');
    await expect(stat('match rate').innerText()).resolves.toMatch(/^99\.7%\s+1,197 of 1,200 compared$/);
    await expect(stat('mirrored').innerText()).resolves.toBe('1,206');
    await expect(stat('match').innerText()).resolves.toBe('1,197');
    await expect(stat('mismatch').innerText()).resolves.toBe('3');
    await expect(stat('shadow errors').innerText()).resolves.toBe('0');
    await expect(stat('skipped').innerText()).resolves.toMatch(/^6\s+too_large 4, max_concurrent 2$/);

    const latency = await card.locator('table.latency tbody tr').allInnerTexts();
    expect(latency.map((row) => row.split('\t')[0])).toEqual(['p50', 'p95', 'p99', 'samples']);
    expect(latency[0]).toMatch(/^p50\t\d+\.\d ms\t\d+\.\d ms\t\+\d+\.\d+ ms$/);
  });

  it('names the differing paths with counts and one example pair, and the noise apart', async () => {
    const card = page.locator('section.card[data-route="/orders"]');
    const rows = card.locator('table.paths tbody tr');
    await expect(rows.count()).resolves.toBe(2);
    const userId = rows.filter({ hasText: '$.items[*].user_id' });
    await expect(userId.locator('td').nth(1).innerText()).resolves.toBe('2');
    const example = await userId.locator('td').nth(3).innerText();
    expect(example).toMatch(/primary\s*17/);
    expect(example).toMatch(/shadow\s*"17"/);
    await expect(rows.filter({ hasText: '$.createdAt' }).isVisible()).resolves.toBe(true);

    const noise = card.locator('table.noise-list');
    await expect(noise.locator('tbody tr').innerText()).resolves.toBe('$.requestId\t12');
    // Noise is not listed among the mismatches.
    await expect(rows.filter({ hasText: '$.requestId' }).count()).resolves.toBe(0);
  });

  it('lists the last mismatches, newest first, each with a curl line to copy', async () => {
    const samples = page.locator('section.card[data-route="/orders"] li.sample');
    await expect(samples.count()).resolves.toBe(3);
    await expect(samples.locator('.req').allInnerTexts()).resolves.toEqual([
      'GET /orders/900?expand=items',
      'GET /orders/500?expand=items',
      'GET /orders/100?expand=items',
    ]);
    const oldest = samples.nth(2);
    await expect(oldest.locator('.status-pair').innerText()).resolves.toBe('primary 200 · shadow 200');
    await expect(oldest.locator('.paths').innerText()).resolves.toBe('differs at $.items[0].user_id $.createdAt');
    const curl = "curl 'http://127.0.0.1:8080/orders/100?expand=items' -H 'Accept: application/json' -H 'Authorization: <redacted>'";
    await expect(oldest.locator('pre').innerText()).resolves.toBe(curl);

    // The copy button is shown by the page's own script (so the CSP let it run) and copies the line.
    const button = oldest.locator('button[data-copy]');
    await expect(button.innerText()).resolves.toBe('copy');
    await expect(button.isVisible()).resolves.toBe(true);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: proxy.adminUrl });
    await button.click();
    await page.waitForFunction((b) => b?.textContent === 'copied', await button.elementHandle(), { polling: 50, timeout: 10_000 });
    await expect(page.evaluate<string>('navigator.clipboard.readText()')).resolves.toBe(curl);
  });

  it('shows a shadowing route without data as "no comparisons yet"', async () => {
    const card = page.locator('section.card[data-route="/users"]');
    await expect(card.locator('.no-data').innerText()).resolves.toBe('no comparisons yet');
    await expect(card.locator('.badge').innerText()).resolves.toMatch(/^not enough data$/i);
    await expect(page.locator('section.card[data-route="/"]').count()).resolves.toBe(0); // does not shadow
  });

  it('needs nothing but the page itself: no other request, no error, nothing blocked', async () => {
    expect(requested).toEqual([proxy.adminUrl + '/shadow']);
    expect(problems).toEqual([]);
  });
});
