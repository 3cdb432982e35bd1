// A real Django admin behind the proxy, driven by a real browser, as a person uses it during a
// migration: a Django project generated now (Debian's python3-django, sqlite, one superuser)
// whose ALLOWED_HOSTS names the public host only ('localhost'), as every real deployment does;
// served by `manage.py runserver --noreload` on 127.0.0.1; the proxy in front of it with the
// routes.yaml a user would write (default route settings: no preserveHost key). Headless Chromium
// (Debian's, through playwright-core) reaches it as http://localhost:PORT, logs in (Django's CSRF
// check), adds a user, logs out. Every stylesheet and script of every page loads with 200, and
// the browser never leaves the public origin (no redirect to the upstream's own address).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDjangoProject, startDjango, type DjangoProject, type RealApp } from './helpers/real-apps.js';
import { startProxy, type TestProxy } from './helpers/servers.js';

const CHROMIUM = '/usr/bin/chromium';

interface Seen {
  readonly url: string;
  readonly status: number;
  readonly type: string;
}

describe('the Django admin through the proxy in a real browser', () => {
  let project: DjangoProject;
  let django: RealApp;
  let proxy: TestProxy;
  let origin: string;
  let userDataDir: string;
  let context: BrowserContext;
  let page: Page;
  const responses: Seen[] = [];
  const problems: string[] = [];
  /** Every stylesheet and script each visited page asks for, read from its DOM. */
  const assetsByPage = new Map<string, string[]>();

  /** Notes the stylesheets and scripts the page now shown asks for. */
  async function noteAssets(): Promise<void> {
    const urls = await page.evaluate<string[]>(`Array.from(document.querySelectorAll('link[rel=stylesheet], script[src]'), (e) => e.href || e.src)`);
    assetsByPage.set(page.url(), urls);
  }

  beforeAll(async () => {
    project = await createDjangoProject({ allowedHosts: ['localhost'] });
    django = await startDjango(project);
    proxy = await startProxy(`upstreams:
  legacy:
    url: ${django.url}
routes:
  - prefix: /
    upstream: legacy
`);
    origin = `http://localhost:${proxy.port}`;

    userDataDir = await mkdtemp(path.join(tmpdir(), 'strangler-chromium-'));
    // This machine's network is closed: no first-run, sync, component or background traffic.
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 20_000,
    });
    context.setDefaultTimeout(15_000);
    context.on('response', (r) => responses.push({ url: r.url(), status: r.status(), type: r.request().resourceType() }));
    context.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    // No cache: every page fetches its own assets, so each one is seen answering.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  }, 90_000);

  afterAll(async () => {
    await context?.close();
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
    await proxy?.close();
    await django?.close();
    await project?.remove();
  }, 30_000);

  it("is a Django that refuses its own upstream address as Host (ALLOWED_HOSTS = ['localhost'])", async () => {
    const direct = await fetch(`${django.url}/admin/login/`, { signal: AbortSignal.timeout(10_000) });
    await direct.arrayBuffer(); // read: a body left unread when Django closes trips Node 24's bundled undici (nodejs/undici#5360)
    expect(direct.status).toBe(400);
    expect(django.output()).toContain('Invalid HTTP_HOST header');
  });

  it('logs in through the proxy, past CSRF', async () => {
    await page.goto(`${origin}/admin/`);
    expect(page.url()).toBe(`${origin}/admin/login/?next=/admin/`);
    await noteAssets();
    await page.locator('#id_username').fill(project.admin.username);
    await page.locator('#id_password').fill(project.admin.password);
    await Promise.all([page.waitForURL(`${origin}/admin/`), page.locator('input[type=submit]').click()]);
    await expect(page.locator('#content h1').innerText()).resolves.toBe('Site administration');
    await noteAssets();
    const cookies = await context.cookies(origin);
    expect(cookies.map((c) => c.name).sort()).toEqual(['csrftoken', 'sessionid']);
  }, 60_000);

  it('adds a user', async () => {
    await Promise.all([page.waitForURL(`${origin}/admin/auth/user/add/`), page.locator('a[href="/admin/auth/user/add/"]').click()]);
    await noteAssets();
    await page.locator('#id_username').fill('grace');
    await page.locator('#id_password1').fill('Hopper-cobol-1959');
    await page.locator('#id_password2').fill('Hopper-cobol-1959');
    await Promise.all([page.waitForURL(new RegExp(`^${origin}/admin/auth/user/\\d+/change/$`)), page.locator('input[name=_save]').click()]);
    await expect(page.locator('.messagelist .success').innerText()).resolves.toMatch(/^The user “grace” was added successfully/);
    await noteAssets();

    await page.goto(`${origin}/admin/auth/user/`);
    await expect(page.locator('#result_list th.field-username').allInnerTexts()).resolves.toEqual(['admin', 'grace']);
    await noteAssets();
  }, 60_000);

  it('logs out', async () => {
    await Promise.all([page.waitForURL(`${origin}/admin/logout/`), page.locator('a[href="/admin/logout/"]').click()]);
    await expect(page.title()).resolves.toMatch(/^Logged out/);
    await noteAssets();
    await page.goto(`${origin}/admin/`);
    expect(page.url()).toBe(`${origin}/admin/login/?next=/admin/`);
  }, 60_000);

  it('loaded every stylesheet and script of every page with 200, all from the public origin', async () => {
    expect([...assetsByPage.keys()].map((u) => new URL(u).pathname)).toEqual(
      ['/admin/login/', '/admin/', '/admin/auth/user/add/', expect.stringMatching(/^\/admin\/auth\/user\/\d+\/change\/$/), '/admin/auth/user/', '/admin/logout/'],
    );
    const wanted = [...new Set([...assetsByPage.values()].flat())];
    expect(wanted.length).toBeGreaterThan(5);
    expect(wanted.filter((u) => u.includes('/static/admin/css/'))).not.toEqual([]);
    expect(wanted.filter((u) => u.includes('/static/admin/js/'))).not.toEqual([]);
    const assetsNot200 = wanted.filter((u) => !responses.some((r) => r.url === u && r.status === 200));
    expect(assetsNot200).toEqual([]);
    const assetResponsesNot200 = responses.filter((r) => (r.type === 'stylesheet' || r.type === 'script') && r.status !== 200);
    expect(assetResponsesNot200).toEqual([]);

    expect(responses.filter((r) => !r.url.startsWith(`${origin}/`))).toEqual([]);
    expect(responses.filter((r) => r.status >= 400)).toEqual([]);
    expect(problems).toEqual([]);
  });
});
