// POST /shadow/reset[?route=PREFIX] on the admin port: starts one route's shadow report (or every
// route's) afresh, counting from now; 404 no_route for a route that neither shadows nor has a
// report; behind the admin token like every admin write.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ShadowEvent } from '../src/shadow/log-line.js';
import type { ShadowReport } from '../src/shadow/report.js';
import { startProxy, startUpstream, testClock, type TestProxy, type Upstream } from './helpers/servers.js';
import { shadowedRoutesYaml } from './helpers/shadow-fixture.js';

const TOKEN = 'reset-s3cret';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const clock = testClock(Date.parse('2026-06-01T12:00:00.000Z'));
const iso = (): string => new Date(clock.now()).toISOString();

function event(route: string, result: 'match' | 'mismatch'): ShadowEvent {
  return {
    at: iso(), route, result, method: 'GET', path: `${route}/1`, primaryStatus: 200, shadowStatus: 200,
    ...(result === 'mismatch' ? { differences: [{ path: '$.id', kind: 'value' as const, primary: 1, shadow: 2 }] } : {}),
  };
}

let up: Upstream, proxy: TestProxy;
beforeAll(async () => {
  up = await startUpstream((_req, res) => res.end('ok'));
  proxy = await startProxy(shadowedRoutesYaml(up.url), { adminToken: TOKEN, clock });
});
afterAll(async () => {
  await proxy?.close();
  await up?.close();
});

const reset = (query = '', headers: Record<string, string> = AUTH) => fetch(`${proxy.adminUrl}/shadow/reset${query}`, { method: 'POST', headers });
async function reports(): Promise<Record<string, ShadowReport>> {
  const body = (await (await fetch(proxy.adminUrl + '/shadow/report', { headers: AUTH })).json()) as { routes: { route: string; report: ShadowReport }[] };
  return Object.fromEntries(body.routes.map((r) => [r.route, r.report]));
}

describe('POST /shadow/reset', () => {
  let before: string;
  beforeEach(() => {
    before = iso();
    for (const route of ['/orders', '/users']) for (const r of ['match', 'match', 'mismatch'] as const) proxy.proxy.shadow.record(event(route, r));
    clock.advance(60_000);
  });

  it('needs the admin token', async () => {
    const r = await reset('', {});
    expect(r.status).toBe(401);
    expect(await r.json()).toMatchObject({ error: 'unauthorized' });
    expect((await reports())['/orders']!.mirrored).toBeGreaterThan(0);
  });

  it('?route=PREFIX starts that route afresh, counting from now; the others keep theirs', async () => {
    const users = (await reports())['/users']!;
    const r = await reset('?route=/orders');
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ reset: ['/orders'], since: iso() });

    const after = await reports();
    expect(after['/orders']).toMatchObject({ since: iso(), mirrored: 0, match: 0, mismatch: 0, topPaths: {}, samples: [] });
    expect(after['/users']).toEqual(users);
    expect(after['/users']!.mirrored).toBeGreaterThanOrEqual(3);

    // What comes after the reset counts in the fresh report.
    proxy.proxy.shadow.record(event('/orders', 'mismatch'));
    expect((await reports())['/orders']).toMatchObject({ since: iso(), mirrored: 1, mismatch: 1 });
  });

  it('without a route starts every report afresh', async () => {
    expect((await reports())['/users']!.since <= before).toBe(true);
    const r = await reset();
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ reset: ['/orders', '/users'], since: iso() });
    const after = await reports();
    expect(Object.keys(after)).toEqual(['/orders', '/users']);
    for (const report of Object.values(after)) expect(report).toMatchObject({ since: iso(), mirrored: 0 });
  });

  it('answers 404 no_route, with the contract\'s error body, for a route that has no report', async () => {
    for (const route of ['/nope', '/']) { // "/" is a route of the table, but it does not shadow
      const r = await reset(`?route=${encodeURIComponent(route)}`);
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await r.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ error: 'no_route', message: expect.stringContaining(JSON.stringify(route)) });
      expect(body.requestId).toEqual(expect.any(String));
    }
    expect((await reports())['/orders']!.mirrored).toBeGreaterThan(0); // nothing was reset
  });

  it('answers 400 bad_request when the route is given twice', async () => {
    const r = await reset('?route=/orders&route=/users');
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ error: 'bad_request' });
  });
});
