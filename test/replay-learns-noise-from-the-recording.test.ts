// The noise of a replay comes from the recording itself: the same request recorded twice with
// different answers (Django's login page, whose CSRF token is new in every answer) marks the
// differing paths as noise for that endpoint, so a candidate whose page differs only there passes;
// without the second recording, the token is a difference. A real difference elsewhere on the
// page still fails.

import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { csrfToken, djangoLoginPage } from './helpers/django-login-page.js';
import { writeRecording, type ExchangeSpec } from './helpers/recording.js';
import { startUpstream, type Upstream } from './helpers/servers.js';

const HTML = { 'content-type': 'text/html; charset=utf-8' };

function page(n: number, siteHeader?: string): ExchangeSpec {
  return { path: '/admin/login/?next=/admin/', route: '/admin', responseHeaders: HTML, body: djangoLoginPage({ csrf: csrfToken(n), ...(siteHeader ? { siteHeader } : {}) }) };
}

let candidate: Upstream | undefined;
afterEach(async () => {
  await candidate?.close();
  candidate = undefined;
});

async function startCandidate(siteHeader?: string): Promise<Upstream> {
  let n = 100;
  candidate = await startUpstream((_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(200, HTML).end(djangoLoginPage({ csrf: csrfToken(n++), ...(siteHeader ? { siteHeader } : {}) }));
  });
  return candidate;
}

interface Out {
  routes: { report: { match: number; mismatch: number; noisePaths: Record<string, number>; topPaths: Record<string, unknown> } }[];
}

describe('strangler replay learns noise from the recording', () => {
  it('passes an HTML candidate that differs only in CSRF tokens, once the recording saw the token change', async () => {
    const c = await startCandidate();
    const once = await writeRecording([page(1)]);
    const alone = await cli(['replay', once, '--target', c.url, '--json']);
    expect(alone.code).toBe(1);
    const aloneOut = JSON.parse(alone.out) as Out;
    expect(Object.keys(aloneOut.routes[0]!.report.topPaths).join(' ')).toContain('csrfmiddlewaretoken');

    const twice = await writeRecording([page(1), page(2), page(3)]);
    const r = await cli(['replay', twice, '--target', c.url, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as Out;
    expect(out.routes[0]!.report.match).toBe(3);
    expect(Object.keys(out.routes[0]!.report.noisePaths).join(' ')).toContain('csrfmiddlewaretoken');
  });

  it('still fails a real difference on the same page', async () => {
    const c = await startCandidate('Orders administration');
    const twice = await writeRecording([page(1), page(2)]);
    const r = await cli(['replay', twice, '--target', c.url]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('h1');
  });

  it('fails a field renamed in a list that grew between its recordings (elements come and go, the fields stay)', async () => {
    // The demo's GET /orders, recorded between POSTs: each answer one order longer.
    const order = (id: number) => ({ id, userId: 1, total: 10 * id });
    const list = (n: number): ExchangeSpec => ({ path: '/orders', route: '/orders', responseHeaders: { 'content-type': 'application/json' }, body: JSON.stringify(Array.from({ length: n }, (_, i) => order(i + 1))) });
    candidate = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([1, 2, 3].map((id) => ({ id, user_id: 1, total: 10 * id }))));
    });
    const r = await cli(['replay', await writeRecording([list(2), list(3), list(4)]), '--target', candidate.url, '--json']);
    expect(r.code).toBe(1);
    const report = (JSON.parse(r.out) as Out).routes[0]!.report;
    expect(report.mismatch).toBe(3);
    expect(Object.keys(report.topPaths).sort()).toEqual(['$[*].userId', '$[*].user_id'].sort());
    expect(Object.keys(report.noisePaths)).toEqual(['$[*]']);
  });
});

