// The shadow of a real Django admin (Debian's python3-django, a project generated now, sqlite)
// to a second `runserver` process of the same project, on the same database with the same
// SECRET_KEY: the same application twice, so every difference the proxy reports is either noise
// (Django masks its CSRF token anew in every answer) or a real change. Through the proxy, as a
// user would write routes.yaml (default route settings: the client's Host reaches Django, whose
// ALLOWED_HOSTS names 'localhost' only); logged in by a real login POST (CSRF token and cookie)
// through the proxy; the shadow copies carry the same session cookie.
//   (1) no ignore list, noise probe on: once the probe has seen the monolith disagree with
//       itself, the login page and the admin pages compare as `match`, the token as noise;
//   (2) the token ignored by CSS selector, no probe: `match` from the first request;
//   (3) the second Django with another admin.site.site_header: every page a mismatch at exactly
//       the site header's element path, with the token ignored by selector, and with no ignore
//       list and the probe on (the probe learns the token, never the header: the primary agrees
//       with itself there).
// What differs between two Django processes' answers of one page, besides a changed header: in
// the body, only the token (the index page has no form in Django 3.2, so nothing); in the
// headers, Date, Expires and Set-Cookie (a new csrftoken secret for an anonymous client, the
// same value with a new expiry for a logged-in one), none of them compared by default.

import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOG } from '../src/observability/log-messages.js';
import type { ShadowEvent } from '../src/shadow/log-line.js';
import type { ShadowReport } from '../src/shadow/report.js';
import type { ReportSummary } from '../src/shadow/summary.js';
import { createDjangoProject, startDjango, type DjangoProject, type RealApp } from './helpers/real-apps.js';
import { startProxy, upstreamsYaml, type TestProxy } from './helpers/servers.js';

const LOGIN = '/admin/login/';
/** Logged-in pages: the index (no form in Django 3.2: logout is a link), two change lists, a change form. */
const ADMIN_PAGES = ['/admin/', '/admin/auth/user/', '/admin/auth/group/', '/admin/auth/user/1/change/'];
const PAGES = [LOGIN, ...ADMIN_PAGES];

// Where Django puts its token on each page, as the report names it.
const LOGIN_TOKEN = 'html > body > div#container > div#main > div > div#content > div#content-main > form#login-form > input[name=csrfmiddlewaretoken] @value';
const CHANGELIST_TOKEN = 'html > body > div#container > div#main > div > div#content > div#content-main > div#changelist > div > form#changelist-form > input[name=csrfmiddlewaretoken] @value';
const CHANGE_FORM_TOKEN = 'html > body > div#container > div#main > div > div#content > div#content-main > form#user_form > input[name=csrfmiddlewaretoken] @value';
const TOKENS = [LOGIN_TOKEN, CHANGELIST_TOKEN, CHANGE_FORM_TOKEN];
const SITE_HEADER = 'html > body > div#container > div#header > div#branding > h1#site-name > a #text';

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

interface RouteReport {
  readonly route: string;
  readonly report: ShadowReport;
  readonly summary: ReportSummary;
}

let project: DjangoProject;
let legacy: RealApp; // the primary
let twin: RealApp; // the same project, a second process
let rebranded: RealApp; // the same project, another site_header
let loginProxy: TestProxy;
/** `sessionid=...; csrftoken=...` of the superuser, from a real login through the proxy. */
let session: string;
let proxy: TestProxy | undefined;

/** One request to the proxy on 127.0.0.1, naming the public host ('localhost:PORT') as browsers do. */
function send(p: TestProxy, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${p.url}${path}`, { method, headers: { host: `localhost:${p.port}`, ...headers }, timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** name=value of each Set-Cookie. */
function cookiesOf(a: Answer): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of a.headers['set-cookie'] ?? []) {
    const [pair] = c.split(';');
    const eq = pair!.indexOf('=');
    out.set(pair!.slice(0, eq), pair!.slice(eq + 1));
  }
  return out;
}

function formToken(html: string): string {
  const m = /<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">/.exec(html);
  if (!m) throw new Error(`no csrfmiddlewaretoken in the page:\n${html.slice(0, 2000)}`);
  return m[1]!;
}

/** GET through the proxy; every page here answers 200 (a redirect to the login page would mean the session was lost). */
async function page(p: TestProxy, path: string): Promise<string> {
  const a = await send(p, 'GET', path, path === LOGIN ? {} : { cookie: session });
  expect(a.status, `GET ${path}`).toBe(200);
  expect(a.headers['content-type']).toBe('text/html; charset=utf-8');
  return a.body;
}

async function routeReport(p: TestProxy): Promise<RouteReport> {
  const res = await fetch(`${p.adminUrl}/shadow/report`, { signal: AbortSignal.timeout(5_000) });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { routes: RouteReport[] };
  expect(body.routes.map((r) => r.route)).toEqual(['/admin']);
  return body.routes[0]!;
}

/** Polls the report until it has `n` finished comparisons (bounded). */
async function reportOfN(p: TestProxy, n: number): Promise<RouteReport> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = await routeReport(p);
    if (r.report.mirrored >= n) return r;
    if (Date.now() > deadline) throw new Error(`the shadow report never counted ${n} mirrored requests; it says:\n${JSON.stringify(r.report, null, 2)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every path the noise probe has logged as learned, in order. */
function learned(p: TestProxy): string[] {
  return p.logs.filter((l) => l.msg === LOG.shadowNoiseLearned).flatMap((l) => l.paths as string[]);
}

/** Polls the proxy's log until the noise probe has learned every one of `paths` (bounded). */
async function learnedAll(p: TestProxy, paths: readonly string[]): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!paths.every((x) => learned(p).includes(x))) {
    if (Date.now() > deadline) throw new Error(`the noise probe never learned all of ${JSON.stringify(paths)}; it learned ${JSON.stringify(learned(p))}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Shadowed {
  readonly p: TestProxy;
  /** Every finished comparison, as the proxy emits it. */
  readonly events: ShadowEvent[];
}

async function shadowedProxy(shadowUpstream: RealApp, compare: string): Promise<Shadowed> {
  proxy = await startProxy(
    upstreamsYaml({ legacy: legacy.url, next: shadowUpstream.url }) +
      `routes:
  - prefix: /admin
    upstream: legacy
    shadow: { upstream: next, compare: ${compare} }
`,
  );
  const events: ShadowEvent[] = [];
  proxy.proxy.shadow.on('event', (e: ShadowEvent) => events.push(e));
  return { p: proxy, events };
}

/** Each page once per round, in order, each waited for (the shadow's comparisons run on their own). */
async function browse(p: TestProxy, rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) for (const path of PAGES) await page(p, path);
}

interface Verdict {
  readonly path: string;
  readonly result: string;
  readonly differences: unknown[];
  /** The concrete paths of the noise. */
  readonly noise: string[];
}

const byPage = (list: Verdict[]): Verdict[] => list.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

/** What each comparison said of which page, by page. */
function verdicts(events: readonly ShadowEvent[]): Verdict[] {
  return byPage(events.map((e) => ({ path: e.path, result: e.result, differences: [...(e.differences ?? [])], noise: (e.noise ?? []).map((n) => n.path) })));
}

/** The token's concrete path on each page, as a comparison names it (the normalised form above: without `:nth-of-type`). */
const TOKEN_ON: Record<string, string[]> = {
  [LOGIN]: [LOGIN_TOKEN],
  '/admin/': [], // no form on the index in Django 3.2
  // The user list has a filter sidebar, a second <div> in #changelist: the token's path counts its position.
  '/admin/auth/user/': [CHANGELIST_TOKEN.replace('div#changelist > div >', 'div#changelist > div:nth-of-type(1) >')],
  '/admin/auth/group/': [CHANGELIST_TOKEN],
  '/admin/auth/user/1/change/': [CHANGE_FORM_TOKEN],
};

/** The verdict of each page, `rounds` times. */
function expectedVerdicts(rounds: number, result: string, differences: unknown[], noise: (path: string) => string[]): Verdict[] {
  return byPage(PAGES.flatMap((path) => Array.from({ length: rounds }, () => ({ path, result, differences, noise: noise(path) }))));
}

beforeAll(async () => {
  project = await createDjangoProject({ allowedHosts: ['localhost'] });
  // Each kept as soon as it is up, so that afterAll stops the others when one fails to start.
  const started = await Promise.allSettled([
    startDjango(project).then((d) => (legacy = d)),
    startDjango(project).then((d) => (twin = d)),
    startDjango(project, { siteHeader: 'Acme administration' }).then((d) => (rebranded = d)),
  ]);
  for (const s of started) if (s.status === 'rejected') throw s.reason;

  // A real login through the proxy (no shadow here): the form's token and the csrftoken cookie
  // from GET, both sent back with the credentials; Django answers 302 with the session cookie.
  loginProxy = await startProxy(upstreamsYaml({ legacy: legacy.url }) + 'routes:\n  - prefix: /\n    upstream: legacy\n');
  const form = await send(loginProxy, 'GET', LOGIN);
  expect(form.status).toBe(200);
  const csrf = cookiesOf(form).get('csrftoken')!;
  expect(csrf).toMatch(/^\w{32,}$/);
  const login = await send(
    loginProxy,
    'POST',
    LOGIN,
    { cookie: `csrftoken=${csrf}`, 'content-type': 'application/x-www-form-urlencoded' },
    new URLSearchParams({ csrfmiddlewaretoken: formToken(form.body), username: project.admin.username, password: project.admin.password, next: '/admin/' }).toString(),
  );
  expect(login.status).toBe(302);
  expect(login.headers.location).toBe('/admin/');
  const set = cookiesOf(login);
  expect([...set.keys()].sort()).toEqual(['csrftoken', 'sessionid']); // Django rotates the CSRF secret at login
  session = `csrftoken=${set.get('csrftoken')}; sessionid=${set.get('sessionid')}`;
}, 120_000);

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

afterAll(async () => {
  await loginProxy?.close();
  await Promise.all([legacy?.close(), twin?.close(), rebranded?.close()]);
  await project?.remove();
}, 30_000);

describe('the Django admin shadowed to a second Django process on the same database', () => {
  it('the session from the login through the proxy opens the admin on each Django process', async () => {
    // Straight to each process, as the shadow copy reaches it (the same Host, the same cookie).
    for (const app of [legacy, twin, rebranded]) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.get(`${app.url}/admin/auth/user/`, { headers: { host: 'localhost', cookie: session }, timeout: 10_000 }, (r) => (r.resume(), resolve(r.statusCode ?? 0)));
        req.on('timeout', () => req.destroy(new Error(`${app.url} timed out`)));
        req.on('error', reject);
      });
      expect(status, app.url).toBe(200);
    }
  });

  it('(1) with no ignore list, matches once the noise probe has learned the CSRF token, on the login page and the admin pages', async () => {
    const { p, events } = await shadowedProxy(twin, '{ noiseProbe: 100 }');
    // Learning: each page once; the probe sends each a second time to the monolith. (A page's
    // first comparison may end before its probe's answer is in: those are not counted below.)
    await browse(p, 1);
    await reportOfN(p, PAGES.length);
    await learnedAll(p, TOKENS);

    // Counted afresh from here: three more rounds, every comparison a match.
    const reset = await fetch(`${p.adminUrl}/shadow/reset?route=/admin`, { method: 'POST', signal: AbortSignal.timeout(5_000) });
    expect(reset.status).toBe(200);
    const from = events.length;
    await browse(p, 3);
    const { report, summary } = await reportOfN(p, 3 * PAGES.length);

    expect(report).toMatchObject({ mirrored: 15, match: 15, mismatch: 0, shadowError: 0, skipped: {}, topPaths: {}, samples: [] });
    // The token of each form, and nothing else, was what differed (and was noise).
    expect(report.noisePaths).toEqual({ [LOGIN_TOKEN]: 3, [CHANGELIST_TOKEN]: 6, [CHANGE_FORM_TOKEN]: 3 });
    expect(summary).toMatchObject({ compared: 15, matchRate: 1, verdictText: 'not enough data: 100.0% match over 15 requests (needs 1,000)' });
    // What the probe learned from the monolith disagreeing with itself: the tokens, nothing else.
    expect([...learned(p)].sort()).toEqual([...TOKENS].sort());

    // Page by page: each comparison a match, the token its only noise.
    expect(verdicts(events.slice(from))).toEqual(expectedVerdicts(3, 'match', [], (path) => TOKEN_ON[path]!));
  });

  it('(2) with the token ignored by CSS selector and no probe, matches from the first request', async () => {
    const { p, events } = await shadowedProxy(twin, '{ ignore: ["input[name=csrfmiddlewaretoken]"] }');
    await browse(p, 1);
    const { report } = await reportOfN(p, PAGES.length);

    expect(report).toMatchObject({ mirrored: 5, match: 5, mismatch: 0, shadowError: 0, skipped: {}, topPaths: {}, noisePaths: {}, samples: [] });
    expect(verdicts(events)).toEqual(expectedVerdicts(1, 'match', [], () => []));
    expect(learned(p)).toEqual([]); // no probe ran
  });

  const header = { path: SITE_HEADER, kind: 'value', primary: 'Django administration', shadow: 'Acme administration' };

  it('(3) a second Django with another site_header: every page a mismatch at the site header, named by its element path', async () => {
    const { p, events } = await shadowedProxy(rebranded, '{ ignore: ["input[name=csrfmiddlewaretoken]"] }');
    await browse(p, 1);
    const { report, summary } = await reportOfN(p, PAGES.length);

    expect(report).toMatchObject({ mirrored: 5, match: 0, mismatch: 5, shadowError: 0, skipped: {}, noisePaths: {} });
    expect(Object.keys(report.topPaths)).toEqual([SITE_HEADER]);
    expect(report.topPaths[SITE_HEADER]).toMatchObject({ count: 5, example: { ...header, request: { method: 'GET', path: LOGIN } } });
    expect(report.samples.map((s) => [s.path, s.differingPaths]).sort()).toEqual(PAGES.map((path) => [path, [SITE_HEADER]]).sort());
    expect(summary).toMatchObject({ compared: 5, matchRate: 0, topPaths: [{ path: SITE_HEADER, count: 5 }] });
    expect(verdicts(events)).toEqual(expectedVerdicts(1, 'mismatch', [header], () => []));
  });

  it('(3) with no ignore list, the noise probe learns the token but never the site header: still a mismatch there, and only there', async () => {
    const { p, events } = await shadowedProxy(rebranded, '{ noiseProbe: 100 }');
    await browse(p, 1);
    await reportOfN(p, PAGES.length);
    await learnedAll(p, TOKENS);
    const from = events.length;
    await browse(p, 1);
    await reportOfN(p, 2 * PAGES.length);

    expect([...learned(p)].sort()).toEqual([...TOKENS].sort());
    expect(verdicts(events.slice(from))).toEqual(expectedVerdicts(1, 'mismatch', [header], (path) => TOKEN_ON[path]!));
  });
});
