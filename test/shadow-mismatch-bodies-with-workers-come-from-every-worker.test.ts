// --workers 2 (real processes, the built CLI): the bodies of a route's last mismatches are kept in
// the worker that compared them, yet the primary's GET /shadow/mismatches (the dashboard's
// side-by-side view) answers with every worker's, newest first and bounded like one process's.
import http from 'node:http';
import { freshGet } from './helpers/client.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startUpstream, upstreamsYaml, writeConfig } from './helpers/servers.js';
import { spawnBuiltWorkers } from './helpers/spawn-proxy.js';
import { LOG } from '../src/observability/log-messages.js';
import { KEPT_PER_ROUTE, mergeKept, type KeptMismatch } from '../src/shadow/bodies.js';

/** Reads until `ok` holds: bounded retries, 20 ms apart (a poll, not a wait for a guessed time). */
async function poll<T>(read: () => Promise<T>, ok: (v: T) => boolean, tries = 250): Promise<T> {
  let v = await read();
  for (let i = 0; i < tries && !ok(v); i++) {
    await sleep(20);
    v = await read();
  }
  return v;
}

const side = (body: string) => ({ status: 200, contentType: 'application/json', body, bytes: body.length, truncated: false, binary: false });
const kept = (second: number, path: string): KeptMismatch => ({
  at: new Date(Date.UTC(2025, 0, 1, 0, 0, second)).toISOString(), method: 'GET', path, mode: 'json', differences: [], primary: side('1'), shadow: side('2'),
});

describe('GET /shadow/mismatches with --workers 2', () => {
  it("answers with both workers' mismatch bodies, newest first", async () => {
    const json = (res: http.ServerResponse) => res.setHeader('content-type', 'application/json');
    const main = await startUpstream((req, res) => json(res).end(JSON.stringify({ path: req.url, side: 'main' })));
    const next = await startUpstream((req, res) => json(res).end(JSON.stringify({ path: req.url, side: 'next' })));
    const file = await writeConfig(upstreamsYaml({ main: main.url, next: next.url }) + 'routes:\n  - { prefix: /orders, upstream: main, shadow: { upstream: next, percent: 100 } }\n');
    const { child, log, url, admin } = await spawnBuiltWorkers(file);
    try {
      const paths = Array.from({ length: 10 }, (_, i) => `/orders/${i}`);
      for (const p of paths) expect((await freshGet(url + p)).status).toBe(200);
      // Both workers answered (and so compared) some of them.
      const access = await poll(async () => log.all.filter((l) => l.msg === LOG.request), (ls) => ls.length >= 10);
      expect(new Set(access.map((l) => l.pid)).size).toBe(2);
      // A mismatch's bodies are kept before it is counted: once the merged report counts ten, all are kept.
      const report = async () => ((await (await fetch(admin + '/shadow/report')).json()) as { routes: { report: { mismatch: number } }[] }).routes[0]?.report.mismatch;
      expect(await poll(report, (n) => n === 10)).toBe(10);

      const res = await fetch(admin + '/shadow/mismatches?route=' + encodeURIComponent('/orders'));
      expect(res.status).toBe(200);
      const answer = (await res.json()) as { route: string; mismatches: KeptMismatch[] };
      expect(answer.route).toBe('/orders');
      expect(answer.mismatches.map((m) => m.path).sort()).toEqual([...paths].sort());
      for (const m of answer.mismatches) {
        expect(JSON.parse(m.primary.body)).toEqual({ path: m.path, side: 'main' });
        expect(JSON.parse(m.shadow.body)).toEqual({ path: m.path, side: 'next' });
        expect(m.differences).toContainEqual({ path: '$.side', kind: 'value' });
      }
      const ats = answer.mismatches.map((m) => m.at);
      expect(ats).toEqual([...ats].sort().reverse());
    } finally {
      child.kill('SIGKILL');
      await Promise.all([main.close(), next.close()]);
    }
  });

  it('keeps the newest of every worker within one process\'s bound', () => {
    const a = Array.from({ length: KEPT_PER_ROUTE }, (_, i) => kept(100 - 2 * i, `/a/${i}`)); // newest first
    const b = Array.from({ length: KEPT_PER_ROUTE }, (_, i) => kept(99 - 2 * i, `/b/${i}`));
    const merged = mergeKept([a, b]);
    expect(merged).toHaveLength(KEPT_PER_ROUTE);
    expect(merged.slice(0, 4).map((m) => m.path)).toEqual(['/a/0', '/b/0', '/a/1', '/b/1']);
    expect(merged.at(-1)!.path).toBe(`/b/${KEPT_PER_ROUTE / 2 - 1}`);
  });
});
