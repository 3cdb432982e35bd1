// GET / (the migration dashboard) in a real browser (headless Chromium, playwright-core) on a
// table the demo's routes.yaml does not have: a progressive canary that climbed to a later step,
// and a shadowing route whose identical upstreams matched over >= 1,000 comparisons (ready to cut
// over). Real proxy, real upstreams; time is a test clock and the canary's gates are checked when
// the test ticks (no timer, no sleeping); the split draws from a cycling source, so at N% exactly
// N of every 100 requests go to the canary. The page shows the canary's percent, step and state
// (why it held, when it is checked next), and the ready route in words; it then follows the canary to its last step in place. Nothing is
// asked of anything but the admin origin, and the console stays clean.
// Screenshot: test-artifacts/dashboard-canary.png.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openBrowser, type Browser } from './helpers/chromium.js';
import { startProxy, startUpstream, testClock, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';
import { READY_COMPARED } from '../src/status/build.js';
import type { MigrationStatus } from '../src/status/types.js';

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const TOKEN = 'dashboard-canary-test-token';
const STEP_MS = 60_000;
const auth = { authorization: `Bearer ${TOKEN}` };

describe('the dashboard with a climbing canary and a ready route, in a real browser', () => {
  let legacy: Upstream, users: Upstream, catalog: Upstream;
  let proxy: TestProxy;
  let browser: Browser;
  let admin: string;
  let tick: (() => Promise<void>) | null = null;
  const clock = testClock();
  const agent = new Agent({ connections: 16 });

  /** `n` GETs of `path`, 16 at a time: every answer's body. */
  const send = async (p: string, n: number): Promise<string[]> => {
    const bodies: string[] = [];
    for (let i = 0; i < n; i += 16) {
      bodies.push(...(await Promise.all(Array.from({ length: Math.min(16, n - i) }, async (_, j) => {
        const res = await fetch(`${proxy.url}${p}/${i + j}`, { dispatcher: agent });
        expect(res.status).toBe(200);
        return res.text();
      }))));
    }
    return bodies;
  };
  /** The step's time passes and the gates are checked. */
  const check = async () => {
    clock.advance(STEP_MS);
    await tick!();
  };
  const status = async () => (await (await fetch(admin + '/status', { headers: auth })).json()) as MigrationStatus;
  const progress = (s: MigrationStatus) => s.routes.find((r) => r.label === '/users')!.canary!.progress!;

  beforeAll(async () => {
    // Small JSON answers; the catalog service answers exactly like the monolith.
    const json = (body: unknown) => (res: import('node:http').ServerResponse) => res.setHeader('content-type', 'application/json').end(JSON.stringify(body));
    legacy = await startUpstream((req, res) => json({ path: req.url, from: req.url!.startsWith('/users') ? 'legacy' : 'catalog' })(res));
    users = await startUpstream((req, res) => json({ path: req.url, from: 'users' })(res));
    catalog = await startUpstream((req, res) => json({ path: req.url, from: 'catalog' })(res));
    let draw = 0;
    proxy = await startProxy(
      upstreamsYaml({ legacy: legacy.url, users: users.url, catalog: catalog.url }) +
        'routes:\n' +
        '  - prefix: /users\n    upstream: legacy\n' +
        `    canary: { upstream: users, steps: [10, 50, 100], stepEveryMs: ${STEP_MS}, gates: { minRequests: 10, maxErrorRate: 0.01, maxP99Ratio: 1000 } }\n` +
        '  - { prefix: /catalog, upstream: legacy, shadow: { upstream: catalog, percent: 100 } }\n' +
        '  - { prefix: /, upstream: legacy }\n',
      {
        adminToken: TOKEN,
        logLevel: 'info',
        clock,
        random: () => (draw++ % 100) / 100,
        canaryTicker: (t) => {
          tick = t;
          return () => (tick = null);
        },
      },
    );
    admin = proxy.adminUrl;

    // The canary: 100 requests at 10% (exactly 10 to it, its gates' minimum), then a step's time.
    expect((await send('/users', 100)).filter((b) => b.includes('"users"'))).toHaveLength(10);
    await check();
    expect(proxy.logs.filter((l) => l.msg === LOG.canaryStepped)).toMatchObject([{ route: '/users', from: 10, percent: 50, step: 1, state: 'climbing' }]);
    // A step's time with no request: too few to judge, it holds at 50%.
    await check();
    expect(progress(await status())).toMatchObject({ percent: 50, step: 1, state: 'climbing', last: { result: 'held' } });
    // The shadow: identical answers, every request compared (wait for the comparisons' events).
    await send('/catalog', READY_COMPARED);
    await vi.waitFor(() => {
      const r = proxy.proxy.shadow.reports().find((x) => x.route === '/catalog');
      expect(r?.mirrored).toBe(READY_COMPARED);
      expect(r?.match).toBe(READY_COMPARED);
    }, { timeout: 20_000, interval: 20 });

    browser = await openBrowser(admin, auth);
    await mkdir(ARTIFACTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await agent.close();
    await Promise.all([legacy?.close(), users?.close(), catalog?.close()]);
  });

  const row = (prefix: string) => browser.page.locator('#route-rows tr', { has: browser.page.getByRole('link', { name: prefix, exact: true }) });

  it("shows the canary's percent, step and state, and the shadowing route ready to cut over", async () => {
    const { page } = browser;
    expect((await page.goto(admin + '/'))?.status()).toBe(200);
    await page.locator('#overview:not([hidden]) #route-rows tr').nth(2).waitFor();
    await page.locator('#ready-panel:not([hidden]) #ready-list li').first().waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-canary.png'), fullPage: true });

    await expect(row('/users').locator('.badge').textContent()).resolves.toBe('canary 50%');
    // Its percent and upstream, its state and step, why it held at the last check, when it is checked next.
    const held = progress(await status());
    expect(held.last!.reason).toMatch(/\d/);
    const next = new Date(clock.now() + STEP_MS).toISOString().slice(11, 19);
    expect(held.nextCheckAt!.slice(11, 19)).toBe(next);
    await expect(row('/users').locator('td').nth(7).innerText()).resolves.toBe(`50% → users\nclimbing, step 2 of 3\nheld: ${held.last!.reason}\nnext check ${next} UTC`);
    await expect(row('/catalog').locator('.badge').textContent()).resolves.toBe('shadowing');
    await expect(row('/catalog').locator('td').nth(6).innerText()).resolves.toBe('ready · 100.0% match\n1,000 compared → catalog');
    await expect(page.locator('#ready-list li').allTextContents()).resolves.toEqual(['/catalog: 100.0% match over 1,000 requests: ready to cut over']);
    expect(browser.problems).toEqual([]);
  });

  it('follows the canary to its last step in place, and lists it as ready', async () => {
    const { page } = browser;
    expect((await send('/users', 100)).filter((b) => b.includes('"users"'))).toHaveLength(50);
    await check();
    expect(progress(await status())).toMatchObject({ percent: 100, step: 2, state: 'ready', nextCheckAt: null });
    // The page's next update (every few seconds) draws it; the row is the same element.
    await row('/users').evaluate((tr) => tr.setAttribute('data-probe', 'kept'));
    await page.locator('#route-rows tr[data-probe="kept"] .badge', { hasText: /^canary 100%$/ }).waitFor();
    await expect(row('/users').locator('td').nth(7).innerText()).resolves.toBe('100% → users\nready, step 3 of 3');
    await expect(page.locator('#ready-list li').allTextContents()).resolves.toEqual([
      '/users: canary at 100% and healthy: ready to cut over: set upstream: users',
      '/catalog: 100.0% match over 1,000 requests: ready to cut over',
    ]);
    expect(browser.problems).toEqual([]);
  });

  it('asks nothing of anything but the admin origin', () => {
    expect(browser.requested.length).toBeGreaterThanOrEqual(3); // the page, then /status at least twice
    expect(browser.requested.filter((u) => !u.startsWith(admin + '/'))).toEqual([]);
  });
});
