// `strangler report --file` counts as the running proxy counts: each route from when its current
// shadow config was applied or from its last POST /shadow/reset. The proxy writes each such
// start into the shadow log (a restart line); the report reads the file's events per route from
// the last one, says how many came before, and a proxy restarted with the same config continues
// the count (results survive restarts). Before, a reset or a fixed config left the file's report
// counting the old mismatches for ever, and a --fail-under gate on the file could never pass.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShadowEvent } from '../src/shadow/log-line.js';
import type { ShadowReport } from '../src/shadow/report.js';
import { cli } from './helpers/cli.js';
import { startProxy, startUpstream, testClock, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

const T0 = Date.parse('2026-06-01T12:00:00.000Z');
const clock = testClock(T0);
const iso = (ms = clock.now()): string => new Date(ms).toISOString();

let up: Upstream;
let dir: string;
let shadowLog: string;
const yaml = (usersShadow: string): string =>
  `server: { shadowLog: ${JSON.stringify(shadowLog)} }\n` +
  upstreamsYaml({ legacy: up.url, next: up.url }) +
  `routes:
  - { prefix: /orders, upstream: legacy, shadow: { upstream: next } }
  - { prefix: /users, upstream: legacy, shadow: ${usersShadow} }
`;

function event(route: string, result: ShadowEvent['result']): ShadowEvent {
  return { at: iso(), route, result, method: 'GET', path: `${route}/1`, primaryStatus: 200, shadowStatus: result === 'match' ? 200 : 500 };
}

function record(proxy: TestProxy, route: string, result: ShadowEvent['result'], n: number): void {
  for (let i = 0; i < n; i++) proxy.proxy.shadow.record(event(route, result));
}

async function adminReports(proxy: TestProxy): Promise<Record<string, ShadowReport>> {
  const body = (await (await fetch(proxy.adminUrl + '/shadow/report')).json()) as { routes: { route: string; report: ShadowReport }[] };
  return Object.fromEntries(body.routes.map((r) => [r.route, r.report]));
}

async function fileReports(): Promise<{ reports: Record<string, ShadowReport>; text: string; code: number }> {
  const json = await cli(['report', '--file', shadowLog, '--json']);
  expect(json.err).toBe('');
  const body = JSON.parse(json.out) as { routes: { route: string; report: ShadowReport }[] };
  const text = await cli(['report', '--file', shadowLog, '--fail-under', '100']);
  return { reports: Object.fromEntries(body.routes.map((r) => [r.route, r.report])), text: text.out, code: text.code };
}

beforeAll(async () => {
  up = await startUpstream((_req, res) => res.end('ok'));
  dir = await mkdtemp(join(tmpdir(), 'strangler-file-report-'));
  shadowLog = join(dir, 'shadow.jsonl');
});
afterAll(async () => {
  await up?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a shadow log file read by strangler report', () => {
  it('counts each route from its last reset or shadow config change, as the proxy does, and across a restart with the same config', async () => {
    const first = await startProxy(yaml('{ upstream: next }'), { clock });
    record(first, '/orders', 'match', 2);
    record(first, '/users', 'mismatch', 3); // a bug in the new service...
    clock.advance(60_000);
    const resetAt = iso();
    expect((await fetch(first.adminUrl + '/shadow/reset?route=/users', { method: 'POST' })).status).toBe(200);
    record(first, '/users', 'mismatch', 2); // ...still there after the reset
    clock.advance(60_000);
    const fixedAt = iso();
    await writeFile(first.file, yaml('{ upstream: next, compare: { ignore: ["$.createdAt"] } }')); // the fix: a changed shadow config
    expect((await fetch(first.adminUrl + '/reload', { method: 'POST' })).status).toBe(200);
    record(first, '/users', 'match', 4);
    const admin = await adminReports(first);
    await first.close(); // (writes out the log)

    const lines = (await readFile(shadowLog, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => l.restart !== undefined).map((l) => [l.route, l.restart, l.at])).toEqual([
      ['/orders', 'config', iso(T0)], ['/users', 'config', iso(T0)], ['/users', 'reset', resetAt], ['/users', 'config', fixedAt],
    ]);

    const read = await fileReports();
    expect(read.reports['/users']).toMatchObject({ since: fixedAt, mirrored: 4, match: 4, mismatch: 0 });
    expect(read.reports['/users']).toMatchObject({ since: admin['/users']!.since, mirrored: admin['/users']!.mirrored });
    expect(read.reports['/orders']).toMatchObject({ since: iso(T0), mirrored: 2, match: 2 });
    expect(read.text).toContain("5 came before their route's last shadow config change or reset, not counted");
    expect(read.code).toBe(0); // the gate passes on what the fixed service answers

    // A restart with the same config continues each route's count.
    clock.advance(60_000);
    const second = await startProxy(yaml('{ upstream: next, compare: { ignore: ["$.createdAt"] } }'), { clock });
    record(second, '/users', 'match', 1);
    record(second, '/orders', 'match', 1);
    await second.close();
    const after = await fileReports();
    expect(after.reports['/users']).toMatchObject({ since: fixedAt, mirrored: 5, match: 5 });
    expect(after.reports['/orders']).toMatchObject({ since: iso(T0), mirrored: 3, match: 3 });
  });

  it('starts a route afresh when it shadows again after a reload turned its shadow off, same config or not', async () => {
    const on = yaml('{ upstream: next }');
    const off = on.replace('  - { prefix: /users, upstream: legacy, shadow: { upstream: next } }\n', '  - { prefix: /users, upstream: legacy }\n');
    expect(off).not.toBe(on);
    const reload = async (p: TestProxy, text: string): Promise<void> => {
      await writeFile(p.file, text);
      expect((await fetch(p.adminUrl + '/reload', { method: 'POST' })).status).toBe(200);
    };
    clock.advance(60_000);
    const p = await startProxy(on, { clock });
    record(p, '/users', 'mismatch', 2);
    await reload(p, off);
    clock.advance(60_000);
    const againAt = iso();
    await reload(p, on); // the same shadow config as before it was off
    record(p, '/users', 'match', 1);
    const admin = await adminReports(p);
    await p.close();
    const read = await fileReports();
    expect(admin['/users']).toMatchObject({ since: againAt, mirrored: 1 });
    expect(read.reports['/users']).toMatchObject({ since: againAt, mirrored: 1, match: 1 });
  });
});
