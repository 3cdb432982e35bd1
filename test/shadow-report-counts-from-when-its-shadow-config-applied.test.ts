// A route's shadow report counts from when its current shadow config was applied: a reload that
// changes the route's shadow config starts its report afresh (since = that reload); a reload
// that leaves it unchanged keeps the report and its since, whatever else changed.

import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShadowEvent } from '../src/shadow/log-line.js';
import type { ShadowReport } from '../src/shadow/report.js';
import { startProxy, startUpstream, testClock, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

const T0 = Date.parse('2026-06-01T12:00:00.000Z');
const clock = testClock(T0);
const iso = (ms = clock.now()): string => new Date(ms).toISOString();

let up: Upstream, proxy: TestProxy;
const yaml = (orders: string, users: string, usersTimeout = 15000) =>
  upstreamsYaml({ legacy: up.url, next: up.url, other: `${up.url}/` }) +
  `routes:
  - prefix: /orders
    upstream: legacy
    shadow: ${orders}
  - prefix: /users
    upstream: legacy
    timeoutMs: ${usersTimeout}
    shadow: ${users}
`;

function event(route: string): ShadowEvent {
  return { at: iso(), route, result: 'match', method: 'GET', path: `${route}/1`, primaryStatus: 200, shadowStatus: 200 };
}

async function reports(): Promise<Record<string, ShadowReport>> {
  const body = (await (await fetch(proxy.adminUrl + '/shadow/report')).json()) as { routes: { route: string; report: ShadowReport }[] };
  return Object.fromEntries(body.routes.map((r) => [r.route, r.report]));
}

async function reloadWith(text: string): Promise<void> {
  await writeFile(proxy.file, text);
  const r = await fetch(proxy.adminUrl + '/reload', { method: 'POST' });
  expect(r.status).toBe(200);
}

beforeAll(async () => {
  up = await startUpstream((_req, res) => res.end('ok'));
  proxy = await startProxy(yaml('{ upstream: next }', '{ upstream: next }'), { clock });
});
afterAll(async () => {
  await proxy?.close();
  await up?.close();
});

describe('the since of a route\'s shadow report', () => {
  it('is when the table that first shadowed the route was applied, not when a request came', async () => {
    clock.advance(5_000);
    const r = await reports();
    expect(r['/orders']).toMatchObject({ since: iso(T0), mirrored: 0 });
    expect(r['/users']).toMatchObject({ since: iso(T0), mirrored: 0 });
    for (const route of ['/orders', '/users']) proxy.proxy.shadow.record(event(route));
    expect((await reports())['/orders']).toMatchObject({ since: iso(T0), mirrored: 1 });
  });

  it('moves to the reload that changed the route\'s shadow config, which starts the report afresh', async () => {
    clock.advance(60_000);
    const t1 = iso();
    // /orders: another percent; /users: only its timeoutMs changes, its shadow stays the same.
    await reloadWith(yaml('{ upstream: next, percent: 50 }', '{ upstream: next }', 9000));
    const r = await reports();
    expect(r['/orders']).toMatchObject({ since: t1, mirrored: 0, match: 0 });
    expect(r['/users']).toMatchObject({ since: iso(T0), mirrored: 1, match: 1 });
  });

  it('moves for each kind of shadow change: compare keys, the shadow upstream, its URL', async () => {
    const changes = [
      yaml('{ upstream: next, percent: 50 }', '{ upstream: next, compare: { ignore: ["$.createdAt"] } }', 9000),
      yaml('{ upstream: next, percent: 50 }', '{ upstream: other, compare: { ignore: ["$.createdAt"] } }', 9000),
    ];
    for (const text of changes) {
      proxy.proxy.shadow.record(event('/users'));
      clock.advance(1_000);
      await reloadWith(text);
      expect((await reports())['/users']).toMatchObject({ since: iso(), mirrored: 0 });
    }
  });

  it('stays when a reload leaves the route\'s shadow config as it was', async () => {
    proxy.proxy.shadow.record(event('/orders'));
    const before = await reports();
    clock.advance(60_000);
    await reloadWith(yaml('{ upstream: next, percent: 50 }', '{ upstream: other, compare: { ignore: ["$.createdAt"] } }', 12000));
    expect(await reports()).toEqual(before);
  });
});
