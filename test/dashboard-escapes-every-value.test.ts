// The dashboard draws JSON that carries values from the routes file, upstream answers and
// reload errors: route prefixes, hosts, upstream names, reasons, reload changes, ready texts,
// request paths, differing paths, curl lines and both bodies of a mismatch. Each is shown as
// text, never taken for markup: served here with values that are markup (and without the page's
// CSP, so that only the escaping stands between them and the page), the page shows them
// literally and gains no element and runs no script.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDashboardPage } from '../src/admin/dashboard/page.js';
import type { MigrationStatus } from '../src/status/types.js';
import { openBrowser, type Browser } from './helpers/chromium.js';

const X = (n: number): string => `<img src=x onerror="window.__pwned=${n}"><script>window.__pwned=${n}</script>`;
const ROUTE = `/orders${X(1)}`;

const status: MigrationStatus = {
  version: `v1${X(2)}`,
  generatedAt: '2025-03-04T05:00:00.000Z',
  legacyUpstream: `legacy${X(3)}`,
  progress: {
    last5m: { requests: 100, nonLegacy: 40, share: 0.4 },
    sinceStart: { requests: 1000, nonLegacy: 100, share: 0.1 },
    routes: { total: 2, cutOver: 1, share: 0.5 },
    series: [{ at: '2025-03-04T04:59:50.000Z', requests: 10, nonLegacy: 4 }, { at: '2025-03-04T05:00:00.000Z', requests: 10, nonLegacy: 5 }],
  },
  routes: [{
    label: ROUTE, prefix: ROUTE, host: `h${X(4)}`, stage: 'canary', stageText: `canary 25%${X(5)}`, upstream: `legacy${X(6)}`,
    sides: [{ upstream: `legacy${X(7)}`, role: 'primary', requests: 5, rps: 1, errorRate: 0, p99Ms: 12, fellBack: 0 }],
    shadow: { upstream: `orders${X(8)}`, verdict: `ready${X(9)}`, matchRate: 0.99, compared: 10, match: 9, mismatch: 1, errors: 0, skipped: 0 },
    canary: { upstream: `users${X(10)}`, percent: 25, halted: { at: '2025-03-04T05:00:00.000Z', reason: `p99 too high${X(11)}` }, progress: null },
    breaker: { primary: `closed${X(12)}`, canary: `open${X(13)}` },
    fallbacks: 3,
  }],
  reloads: [{ at: '2025-03-04T05:00:00.000Z', result: `invalid${X(14)}`, trigger: `file${X(15)}`, changes: [`route ${ROUTE} added${X(16)}`] }],
  ready: [{ route: ROUTE, text: `${ROUTE}: 99.8% match: ready to cut over${X(17)}` }],
};

const sample = {
  at: '2025-03-04T05:00:00.000Z', method: 'GET', path: `/orders/1?q=${X(18)}`, primaryStatus: 200, shadowStatus: 200,
  differingPaths: [`$.name${X(19)}`], curl: `curl ${X(20)}`, primaryCurl: `curl ${X(21)}`, shadowCurl: `curl ${X(22)}`,
};
const report = {
  generatedAt: '2025-03-04T05:00:00.000Z',
  routes: [{
    route: ROUTE,
    summary: {
      route: ROUTE, since: '2025-03-04T04:00:00.000Z', mirrored: 10, compared: 10, match: 9, mismatch: 1, shadowError: 0,
      skipped: { [`too_large${X(23)}`]: 1 }, matchRate: 0.9, verdict: 'not enough data', verdictText: `not enough data${X(24)}`,
      topPaths: [{ path: `$.name${X(25)}`, count: 1, example: { at: sample.at, request: { method: 'GET', path: `/orders/2${X(26)}` }, path: `$.name${X(27)}`, kind: 'value', primary: X(28), shadow: X(29) } }],
      noisePaths: [], samples: [sample],
      latency: { primary: { count: 1, p50: 1, p95: 1, p99: 1 }, shadow: { count: 1, p50: 2, p95: 2, p99: 2 } },
    },
  }],
};
const mismatches = {
  route: ROUTE,
  mismatches: [{
    at: sample.at, method: 'GET', path: sample.path, mode: 'html', differences: [{ path: 'html > body > p #text', kind: 'value' }],
    primary: { status: 200, contentType: `text/html${X(30)}`, body: `<html><body><p>${X(31)}</p></body></html>`, bytes: 10, truncated: false, binary: false },
    shadow: { status: 200, contentType: 'text/html', body: `<html><body><p>other ${X(32)}</p></body></html>`, bytes: 10, truncated: false, binary: false },
  }],
};

describe('the dashboard escapes every value', () => {
  let server: http.Server;
  let origin: string;
  let browser: Browser;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const json = (v: unknown) => res.setHeader('content-type', 'application/json').end(JSON.stringify(v));
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/') res.setHeader('content-type', 'text/html; charset=utf-8').end(renderDashboardPage());
      else if (url.pathname === '/status') json(status);
      else if (url.pathname === '/shadow/report') json(report);
      else if (url.pathname === '/shadow/mismatches' && url.searchParams.get('route') === ROUTE) json(mismatches);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await openBrowser(origin);
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  const noMarkupGotIn = async (): Promise<void> => {
    const { page } = browser;
    await expect(page.evaluate('document.querySelectorAll("img").length')).resolves.toBe(0);
    await expect(page.evaluate('document.querySelectorAll("script").length')).resolves.toBe(1);
    await expect(page.evaluate('typeof window.__pwned')).resolves.toBe('undefined');
    expect(browser.problems).toEqual([]);
  };

  it('shows the overview values as text', async () => {
    const { page } = browser;
    await page.goto(origin + '/');
    const row = page.locator('#route-rows tr');
    await row.waitFor();
    const text = await page.locator('main').evaluate((e) => e.textContent ?? '');
    for (const n of [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]) expect(text).toContain(X(n));
    await expect(row.locator('a.route').innerText()).resolves.toBe(ROUTE);
    await expect(page.locator('#generated').innerText()).resolves.toContain(X(2));
    await noMarkupGotIn();
  });

  it('shows the detail values, curl lines and both bodies as text', async () => {
    const { page } = browser;
    await page.locator('a.route').click();
    await page.locator('#d-samples li').waitFor();
    await page.getByRole('button', { name: 'show both bodies' }).click();
    await page.locator('.sbs .pane').first().waitFor();
    const text = await page.locator('#detail').evaluate((e) => e.textContent ?? '');
    for (const n of [18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 30]) expect(text).toContain(X(n));
    // Example values are shown as JSON.
    for (const n of [28, 29]) expect(text).toContain(JSON.stringify(X(n)));
    // An HTML body is shown as its document's tree, printed as text: the markup in it too.
    for (const n of [31, 32]) {
      expect(text).toContain(`<img src="x" onerror="window.__pwned=${n}">`);
      expect(text).toContain(`window.__pwned=${n}`);
    }
    await expect(page.locator('#d-route').innerText()).resolves.toBe(ROUTE);
    const marked = await page.locator('.pane[data-side="shadow"] .ln.hl').allInnerTexts();
    expect(marked.map((t) => t.trim())).toEqual(['other']);
    await noMarkupGotIn();
  });
});
