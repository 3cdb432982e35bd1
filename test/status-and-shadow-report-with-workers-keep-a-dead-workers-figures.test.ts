// --workers 2 (real processes, the built CLI): a worker killed after serving takes nothing out of
// /status's counts since start nor out of /shadow/report (a verdict needs 1,000 compared
// requests: a crash must not throw them away), as it takes nothing out of /metrics' counters. And
// the pure parts: what the primary keeps of a silent, a dead and a late-answering worker.
import { describe, expect, it } from 'vitest';
import { freshGet } from './helpers/client.js';
import { startUpstream, upstreamsYaml, writeConfig } from './helpers/servers.js';
import { spawnBuiltWorkers } from './helpers/spawn-proxy.js';
import { LOG } from '../src/observability/log-messages.js';
import type { MigrationStatus } from '../src/status/types.js';
import type { ShadowReport } from '../src/shadow/report.js';
import { CarriedAnswers } from '../src/workers/carried-answers.js';
import { retiredCells } from '../src/status/merge.js';
import { emptyHistogram } from '../src/shadow/histogram.js';
import type { StatusCells } from '../src/status/cells.js';
import { emptyReport } from '../src/shadow/report.js';
import { groupAdmin, type GroupAdminDeps } from '../src/workers/group-admin.js';

describe('/status and /shadow/report with --workers 2', () => {
  it("keep a killed worker's counts since start and its compared shadow requests", async () => {
    const legacy = await startUpstream((req, res) => res.end('legacy ' + req.url));
    const next = await startUpstream((req, res) => res.end('legacy ' + req.url));
    const file = await writeConfig(upstreamsYaml({ legacy: legacy.url, next: next.url }) + 'routes:\n  - { prefix: /, upstream: legacy, shadow: { upstream: next } }\n');
    const { child, log, url, admin } = await spawnBuiltWorkers(file);
    try {
      for (let i = 0; i < 24; i++) expect((await freshGet(`${url}/orders/${i}`)).status).toBe(200);
      for (let i = 0; i < 24; i++) await log.wait((l) => l.msg === LOG.request && typeof l.path === 'string' && l.path.endsWith(`/${i}`));
      const answeredBy = new Set(log.all.filter((l) => l.msg === LOG.request).map((l) => l.pid as number));
      expect(answeredBy.size).toBe(2); // the worker killed below served some of them
      const report = async (): Promise<ShadowReport> => ((await (await fetch(admin + '/shadow/report')).json()) as { routes: { report: ShadowReport }[] }).routes[0]!.report;
      // Every copy compared (each worker compares its own, a moment after its answer).
      for (let tries = 0; (await report()).match < 24; tries++) {
        expect(tries).toBeLessThan(200);
        await new Promise((r) => setImmediate(r));
      }
      const status = async (): Promise<MigrationStatus> => (await (await fetch(admin + '/status')).json()) as MigrationStatus;
      expect((await status()).progress.sinceStart.requests).toBe(24);

      const [victim] = [...answeredBy];
      process.kill(victim!, 'SIGKILL');
      expect(await log.wait((l) => l.msg === LOG.workerDied)).toMatchObject({ workerPid: victim, signal: 'SIGKILL' });
      // Asked again with one worker gone (and its replacement starting or started): the same counts.
      expect((await status()).progress.sinceStart.requests).toBe(24);
      expect(await report()).toMatchObject({ mirrored: 24, match: 24 });
      await log.wait((l) => l.msg === LOG.workerStarted && !answeredBy.has(l.workerPid as number));
      expect((await status()).progress.sinceStart.requests).toBe(24);
      expect(await report()).toMatchObject({ mirrored: 24, match: 24 });
      // Counted once: the replacement's requests come on top.
      for (let i = 24; i < 30; i++) expect((await freshGet(`${url}/orders/${i}`)).status).toBe(200);
      for (let i = 24; i < 30; i++) await log.wait((l) => l.msg === LOG.request && typeof l.path === 'string' && l.path.endsWith(`/${i}`));
      expect((await status()).progress.sinceStart.requests).toBe(30);
    } finally {
      child.kill('SIGKILL');
      await Promise.all([legacy.close(), next.close()]);
    }
  });
});

describe('what the primary keeps of its workers’ answers', () => {
  const sum = new CarriedAnswers<number>({ fold: (a, b) => a + b, retire: (v) => v });

  it("keeps a silent worker's last answer, folds a dead one's, and counts a late answer of a dead worker once", () => {
    expect(sum.answers([{ worker: 1, value: 5 }, { worker: 2, value: 3 }], new Set([1, 2]))).toEqual([5, 3]);
    expect(sum.answers([{ worker: 1, value: 6 }], new Set([1, 2]))).toEqual([6, 3]); // 2 silent: its last
    expect(sum.answers([{ worker: 1, value: 7 }, { worker: 2, value: 4 }], new Set([1, 3]))).toEqual([7, 4]); // 2 died answering: its newest, retired
    expect(sum.answers([{ worker: 1, value: 7 }, { worker: 2, value: 9 }, { worker: 3, value: 1 }], new Set([1, 3]))).toEqual([7, 1, 4]);
    expect(sum.answers([{ worker: 4, value: 8 }], new Set([1, 3]))).toEqual([7, 1, 4]); // never heard of while live: nothing
    sum.update((v) => v * 10);
    expect(sum.answers([], new Set([1, 3]))).toEqual([70, 10, 40]);
  });

  it("keeps of a dead worker's status its counts since start, fallbacks and series, not its last 5 minutes nor its live state", () => {
    const counts = (n: number) => ({ requests: n, errors: 1, fellBack: 2, latency: { ...emptyHistogram(), count: n } });
    const cells: StatusCells = {
      windowMs: 300_000,
      sides: [{ route: '/', upstream: 'legacy', role: 'primary', window: counts(5), total: counts(50) }],
      fallbacks: { '/': 2 },
      series: [{ at: '2026-12-05T07:00:00.000Z', requests: 5, nonLegacy: 0 }],
      live: [{ route: '/', halted: null, progress: null, breaker: { primary: 'open', canary: null } }],
    };
    const r = retiredCells(cells);
    expect(r.sides[0]).toMatchObject({ window: { requests: 0, errors: 0, fellBack: 0, latency: { count: 0 } }, total: counts(50) });
    expect(r).toMatchObject({ fallbacks: { '/': 2 }, series: cells.series, live: [] });
  });
});

describe("the group's shadow report", () => {
  it("leaves out a dead worker's report of a route whose shadow config changed since (the workers started it afresh)", async () => {
    const T0 = '2026-12-05T07:00:00.000Z';
    const T1 = '2026-12-05T07:05:00.000Z';
    const report = (since: string, mirrored: number): ShadowReport => ({ ...emptyReport('/', since), mirrored });
    let live = [1, 2];
    let answers: { worker: number; value: { reports: ShadowReport[]; shadowed: [] } }[] = [];
    let since = T0;
    const group = { views: () => live.map((id) => ({ id })), askEach: async () => answers };
    const admin = groupAdmin({ group, shadowed: () => [{ route: '/', since }] } as unknown as GroupAdminDeps);
    answers = [{ worker: 1, value: { reports: [report(T0, 5)], shadowed: [] } }, { worker: 2, value: { reports: [report(T0, 7)], shadowed: [] } }];
    expect((await admin.shadowReports()).map((r) => r.mirrored)).toEqual([5, 7]);
    live = [1, 3]; // 2 died: its report stays
    answers = [{ worker: 1, value: { reports: [report(T0, 6)], shadowed: [] } }];
    expect((await admin.shadowReports()).map((r) => r.mirrored)).toEqual([6, 7]);
    since = T1; // the route's compare rules changed: worker 1 counts afresh, 2's old count goes
    answers = [{ worker: 1, value: { reports: [report(T1, 1)], shadowed: [] } }];
    expect((await admin.shadowReports()).map((r) => r.mirrored)).toEqual([1]);
  });
});
