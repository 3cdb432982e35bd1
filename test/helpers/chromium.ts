// Debian's chromium driven by playwright-core, for the dashboard's browser tests: a fresh
// profile, no background traffic, every request recorded (and anything but `origin` aborted),
// console errors and warnings, page errors and dialogs collected.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export interface Browser {
  readonly page: Page;
  /** Every URL the browser asked for. */
  readonly requested: string[];
  /** Console errors and warnings, page errors, dialogs (an alert would be a script that ran). */
  readonly problems: string[];
  close(): Promise<void>;
}

export async function openBrowser(origin: string, headers: Record<string, string> = {}): Promise<Browser> {
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'strangler-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1400, height: 900 },
    colorScheme: 'light',
    extraHTTPHeaders: headers,
    timeout: 20_000,
  });
  const requested: string[] = [];
  const problems: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    requested.push(url);
    return url.startsWith(origin + '/') ? route.continue() : route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return {
    page,
    requested,
    problems,
    close: async () => {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
