// Through the proxy, a Django-admin-like login page served by two node servers (the monolith,
// whose CSRF token differs per answer, and the new service): the shadow matches once the noise
// probe has seen the monolith disagree with itself, or at once with the token ignored by CSS
// selector; a changed site header is a mismatch named by its element path in the event, the log
// line, the metrics and the report. Text bodies compare with ignoreText.

import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { LOG } from '../src/observability/log-messages.js';
import { formatLogLine, parseLogLine, type ShadowEvent } from '../src/shadow/log-line.js';
import { csrfToken, djangoLoginPage } from './helpers/django-login-page.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

let primary: Upstream | undefined, shadow: Upstream | undefined, proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await Promise.all([primary?.close(), shadow?.close()]);
  proxy = primary = shadow = undefined;
});

const HEADER_TEXT = 'html > body > div#container > div#header > div#branding > h1#site-name > a #text';
const TOKEN_VALUE = 'html > body > div#container > div#content > div#content-main > form#login-form > input[name=csrfmiddlewaretoken] @value';

/** A login page with a new token for every answer; `header` is read at each answer. */
function loginServer(first: number, header: () => string | undefined = () => undefined) {
  let n = first;
  return startUpstream((_req, res: ServerResponse) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(djangoLoginPage({ csrf: csrfToken(n++), siteHeader: header() }));
  });
}

async function setup(compare: string, shadowHeader?: () => string | undefined) {
  primary = await loginServer(0);
  shadow = await loginServer(1000, shadowHeader);
  proxy = await startProxy(upstreamsYaml({ legacy: primary.url, next: shadow.url }) + `routes:\n  - prefix: /admin\n    upstream: legacy\n    shadow: { upstream: next, compare: ${compare} }\n`);
  return proxy;
}

const nextEvent = (p: TestProxy) => once(p.proxy.shadow, 'event').then(([e]) => e as ShadowEvent);

async function get(p: TestProxy, path = '/admin/login/'): Promise<string> {
  const r = await fetch(p.url + path);
  expect(r.status).toBe(200);
  return r.text();
}

describe('a Django-like login page in the shadow', () => {
  it('(a) matches with no ignore once the noise probe has learned the token from the monolith', async () => {
    const p = await setup('{ noiseProbe: 100 }');
    await get(p);
    const learned = await p.logLine((l) => l.msg === LOG.shadowNoiseLearned);
    expect(learned.paths).toEqual([TOKEN_VALUE]);
    const event = nextEvent(p);
    expect(await get(p)).toContain('csrfmiddlewaretoken'); // the client gets the primary's page
    const e = await event;
    expect(e.result).toBe('match');
    expect(e.noise!.map((x) => x.path)).toEqual([TOKEN_VALUE]);
  });

  it('(b) matches from the first request with the token ignored by CSS selector', async () => {
    const p = await setup('{ ignore: ["input[name=csrfmiddlewaretoken]"] }');
    const event = nextEvent(p);
    await get(p);
    expect(await event).toMatchObject({ result: 'match', differences: [], noise: [] });
    expect(await (await fetch(p.adminUrl + '/metrics')).text()).toContain('strangler_shadow_comparisons_total{route="/admin",result="match",reason=""} 1');
  });

  it('(c) reports a different site header as a mismatch named by its element path, everywhere paths go', async () => {
    const p = await setup('{ ignore: ["input[name=csrfmiddlewaretoken]"] }', () => 'Acme administration');
    const event = nextEvent(p);
    await get(p);
    const e = await event;
    expect(e.result).toBe('mismatch');
    expect(e.differences).toEqual([{ path: HEADER_TEXT, kind: 'value', primary: 'Django administration', shadow: 'Acme administration' }]);

    expect(parseLogLine(formatLogLine(e))).toMatchObject({ differences: [{ path: HEADER_TEXT }] }); // the shadow log line
    expect(await (await fetch(p.adminUrl + '/metrics')).text()).toContain('strangler_shadow_comparisons_total{route="/admin",result="mismatch",reason=""} 1');
    const report = await (await fetch(p.adminUrl + '/shadow/report')).text();
    expect(report).toContain(JSON.stringify(HEADER_TEXT).slice(1, -1));
  });

  it('(c) without any configuration, the token itself is the only difference, by its element path', async () => {
    const p = await setup('{}');
    const event = nextEvent(p);
    await get(p);
    const e = await event;
    expect(e.result).toBe('mismatch');
    expect(e.differences!.map((d) => d.path)).toEqual([TOKEN_VALUE]);
  });
});

describe('text bodies with ignoreText', () => {
  const textServer = (body: (n: number) => string) => {
    let n = 0;
    return startUpstream((_req, res: ServerResponse) => {
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end(body(n++));
    });
  };

  it('blanks every match on both sides before comparing; what is left still counts', async () => {
    primary = await textServer((n) => `status: ok\nbuilt 2025-01-0${n + 1}T10:00:00Z by ci-${n}\n`);
    shadow = await textServer((n) => `status: ${n === 0 ? 'ok' : 'degraded'}\nbuilt 2025-02-0${n + 1}T11:30:00Z by ci-9${n}\n`);
    proxy = await startProxy(upstreamsYaml({ legacy: primary.url, next: shadow.url }) +
      'routes:\n  - prefix: /health\n    upstream: legacy\n    shadow: { upstream: next, compare: { ignoreText: ["\\\\d{4}-\\\\d\\\\d-\\\\d\\\\dT[0-9:]+Z", "ci-\\\\d+"] } }\n');
    let event = nextEvent(proxy);
    await (await fetch(proxy.url + '/health')).text();
    expect(await event).toMatchObject({ result: 'match', differences: [] });

    event = nextEvent(proxy);
    await (await fetch(proxy.url + '/health')).text();
    const e = await event;
    expect(e.result).toBe('mismatch');
    expect(e.differences).toEqual([expect.objectContaining({ path: 'body', kind: 'bytes', primary: 'status: ok', shadow: 'status: degraded' })]);
  });
});
