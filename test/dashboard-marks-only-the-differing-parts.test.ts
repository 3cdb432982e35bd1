// A mismatch opened on the dashboard's route detail, in a real browser (Debian's chromium through
// playwright-core), marks what the compare found different and nothing else. A real proxy
// shadows /pages (HTML) and /api (JSON) from a monolith to a service that answers the same
// with one difference each, and with what the compare does not count: attributes in another
// order, keys in another order (a line diff would mark those). The HTML documents are shown as
// indented trees, the element path the compare named (`html > body > h1 #text`) placed by the
// browser's own selector engine; the JSON pretty-printed, the differing path (`$.tags[0]`) marked.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openBrowser, type Browser } from './helpers/chromium.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

const page = (title: string, attrs: string) => `<!doctype html><html><head><title>About</title></head><body><h1>${title}</h1><p ${attrs}>Since 1999</p></body></html>`;

/** `idsText`: the JSON text /ids answers, as written (numbers JSON.stringify cannot spell). */
function app(title: string, attrs: string, json: unknown, idsText: string) {
  return startUpstream((req, res) => {
    if (req.url!.startsWith('/pages')) res.setHeader('content-type', 'text/html; charset=utf-8').end(page(title, attrs));
    else res.setHeader('content-type', 'application/json').end(req.url!.startsWith('/ids') ? idsText : JSON.stringify(json));
  });
}

describe('a mismatch on the dashboard', () => {
  const ups: Upstream[] = [];
  let proxy: TestProxy;
  let browser: Browser;

  beforeAll(async () => {
    ups.push(await app('About', 'class="lead" lang="en"', { id: 1, name: 'Ada', tags: ['x'] }, '{"price":3.0,"ref":9007199254740993}'));
    ups.push(await app('About us', 'lang="en" class="lead"', { name: 'Ada', id: 1, tags: ['y'] }, '{"price":3.0,"ref":9007199254740992}'));
    proxy = await startProxy(upstreamsYaml({ legacy: ups[0]!.url, rewrite: ups[1]!.url }) + `
routes:
  - prefix: /pages
    upstream: legacy
    shadow: { upstream: rewrite }
  - prefix: /api
    upstream: legacy
    shadow: { upstream: rewrite }
  - prefix: /ids
    upstream: legacy
    shadow: { upstream: rewrite }
  - prefix: /
    upstream: legacy
`);
    for (const p of ['/pages/about', '/api/people/1', '/ids/1']) await (await fetch(proxy.url + p)).text();
    await vi.waitFor(() => {
      const reports = proxy.proxy.shadow.reports();
      expect(reports.map((r) => [r.route, r.mismatch]).sort()).toEqual([['/api', 1], ['/ids', 1], ['/pages', 1]]);
    }, { timeout: 10_000, interval: 20 });
    browser = await openBrowser(proxy.adminUrl);
  });

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await Promise.all(ups.map((u) => u.close()));
  });

  const open = async (route: string) => {
    const { page: tab } = browser;
    await tab.goto(proxy.adminUrl + '/');
    await tab.getByRole('link', { name: route, exact: true }).click();
    await tab.locator('#detail:not([hidden]) #d-route', { hasText: route }).waitFor();
    const first = tab.locator('#d-samples li').first();
    await first.getByRole('button', { name: 'show both bodies' }).click();
    await first.locator('.pane[data-side="shadow"]').waitFor();
    return (side: string, marked = true) => first.locator(`.pane[data-side="${side}"] .ln${marked ? '.hl' : ''}`).allTextContents();
  };

  it('marks the differing element of an HTML answer on both sides', async () => {
    const lines = await open('/pages');
    await expect(lines('primary', false)).resolves.toContain('    <p class="lead" lang="en">');
    await expect(lines('shadow', false)).resolves.toContain('    <p lang="en" class="lead">');
    await expect(lines('primary')).resolves.toEqual(['      About']);
    await expect(lines('shadow')).resolves.toEqual(['      About us']);
    expect(browser.problems).toEqual([]);
  });

  it('marks the differing path of a JSON answer on both sides', async () => {
    const lines = await open('/api');
    await expect(lines('primary', false)).resolves.toEqual(['{', '  "id": 1,', '  "name": "Ada",', '  "tags": [', '    "x"', '  ]', '}']);
    await expect(lines('primary')).resolves.toEqual(['    "x"']);
    await expect(lines('shadow')).resolves.toEqual(['    "y"']);
    expect(browser.problems).toEqual([]);
    expect(browser.requested.filter((u) => !u.startsWith(proxy.adminUrl + '/'))).toEqual([]);
  });

  it('shows each JSON number as the body spells it: 3.0 is not 3, and a 64-bit id keeps its last digit', async () => {
    const lines = await open('/ids');
    await expect(lines('primary', false)).resolves.toEqual(['{', '  "price": 3.0,', '  "ref": 9007199254740993', '}']);
    await expect(lines('primary')).resolves.toEqual(['  "ref": 9007199254740993']);
    await expect(lines('shadow')).resolves.toEqual(['  "ref": 9007199254740992']);
    expect(browser.problems).toEqual([]);
  });
});
