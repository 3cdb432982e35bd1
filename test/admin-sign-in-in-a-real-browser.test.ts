// Signing in to the admin pages in a real browser: headless Chromium (playwright-core, no
// Authorization header of its own) against the demo stack with an admin token. `/` shows the
// sign-in page; a wrong token shows it again with the reason; the right one, typed and submitted,
// leads to the dashboard with every route of the table, and the cookie (HttpOnly, so no script
// can read it) opens the shadow page and the dashboard's own fetches. No console error, nothing
// asked of anything but the admin origin. Screenshot: test-artifacts/sign-in.png.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type Browser } from './helpers/chromium.js';
import { startDemoStack, type DemoStack } from './helpers/demo-stack.js';

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const TOKEN = 'sign-in-browser-token';
/** The routes of routes.yaml, in its order. */
const PREFIXES = ['/users', '/users/me', '/orders', '/'];

describe('signing in to the dashboard in a real browser, on the demo stack', () => {
  let demo: DemoStack;
  let browser: Browser;
  let admin: string;
  let signedInAt = 0;

  beforeAll(async () => {
    demo = await startDemoStack({ adminToken: TOKEN });
    admin = demo.proxy.adminUrl;
    browser = await openBrowser(admin);
    await mkdir(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  it('shows the sign-in page, refuses a wrong token, and opens the dashboard with the right one', async () => {
    const { page } = browser;
    const first = await page.goto(admin + '/');
    expect(first?.status()).toBe(401);
    await expect(page.title()).resolves.toBe('Sign in · strangler');
    const field = page.getByLabel('Admin token');
    await expect(field.getAttribute('type')).resolves.toBe('password');
    await page.screenshot({ path: path.join(ARTIFACTS, 'sign-in.png'), fullPage: true });

    await field.fill('not-the-token');
    await Promise.all([page.waitForResponse((r) => r.url() === admin + '/session'), page.getByRole('button', { name: 'Sign in' }).click()]);
    await expect(page.getByRole('alert').textContent()).resolves.toBe('That is not the admin token.');
    await expect(page.context().cookies()).resolves.toEqual([]);
    // Chromium logs a document answered 4xx as a console error: the two 401 sign-in pages (the
    // first visit, the wrong token) are the only ones, no script error, nothing blocked by the CSP.
    const refused = 'console error: Failed to load resource: the server responded with a status of 401 (Unauthorized)';
    expect(browser.problems).toEqual([refused, refused]);
    const before = browser.problems.length;

    await page.getByLabel('Admin token').fill(TOKEN);
    await Promise.all([page.waitForURL(admin + '/'), page.getByRole('button', { name: 'Sign in' }).click()]);
    await expect(page.title()).resolves.toBe('Migration · strangler');
    await page.locator('#overview:not([hidden]) #route-rows tr').nth(PREFIXES.length - 1).waitFor();
    await expect(page.locator('#route-rows a.route').allTextContents()).resolves.toEqual(PREFIXES);
    await expect(page.locator('#live').getAttribute('class')).resolves.toBe('state'); // its fetches succeeded

    const cookies = await page.context().cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: 'strangler_admin', httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookies[0]!.value).not.toContain(TOKEN);
    await expect(page.evaluate('document.cookie')).resolves.toBe('');
    expect(browser.problems.slice(before)).toEqual([]);
    signedInAt = browser.problems.length;
  });

  it('opens the shadow page with the same cookie', async () => {
    const { page } = browser;
    await Promise.all([page.waitForURL(admin + '/shadow'), page.getByRole('link', { name: 'Shadow report' }).click()]);
    await expect(page.title()).resolves.toMatch(/shadow/i);
    await page.locator('.card').first().waitFor();
    expect(browser.problems.slice(signedInAt)).toEqual([]);
  });

  it('asks nothing of anything but the admin origin', () => {
    expect(browser.requested.filter((u) => u.startsWith(admin + '/status')).length).toBeGreaterThan(0);
    expect(browser.requested.filter((u) => !u.startsWith(admin + '/'))).toEqual([]);
  });
});
