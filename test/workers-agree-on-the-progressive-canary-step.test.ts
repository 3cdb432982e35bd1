// --workers 2 with a progressive canary: the primary checks the gates over both workers' figures
// merged, and every worker runs the step it decides. Real processes (the built CLI), real time
// (stepEveryMs: 1000, its minimum); nothing sleeps: the test waits for log lines.
import { freshGet } from './helpers/client.js';
import { describe, expect, it } from 'vitest';
import { startUpstream, upstreamsYaml, writeConfig } from './helpers/servers.js';
import { spawnBuiltWorkers } from './helpers/spawn-proxy.js';
import { LOG } from '../src/observability/log-messages.js';
import { bucketOf } from '../src/canary/split.js';

/** `n` sticky keys whose bucket is in [from, to) (of 10,000): the canary takes them from `from / 100`%. */
function keysIn(from: number, to: number, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) if (bucketOf(`u${i}`) >= from && bucketOf(`u${i}`) < to) out.push(`u${i}`);
  return out;
}

describe('--workers 2 and a progressive canary', () => {
  it('climbs on both workers\' figures merged, and every worker runs the step the primary decided', async () => {
    const main = await startUpstream((_req, res) => res.end('primary'));
    const next = await startUpstream((_req, res) => res.end('canary'));
    const file = await writeConfig(
      upstreamsYaml({ main: main.url, next: next.url }) +
        'routes:\n  - prefix: /\n    upstream: main\n' +
        '    canary: { upstream: next, steps: [20, 60, 100], stepEveryMs: 1000, stickyOn: "header:x-user", gates: { minRequests: 8, maxErrorRate: 0.5, maxP99Ratio: 1000 } }\n',
    );
    const { child, log, url, admin } = await spawnBuiltWorkers(file);
    try {
      const put = await fetch(admin + '/log-level', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ level: 'debug' }) });
      expect(put.status).toBe(200);
      const low = keysIn(0, 2000, 8); // the canary's from the first step
      const mid = keysIn(2000, 6000, 6); // the canary's from 60%
      for (const k of mid) expect((await freshGet(url + '/a', { 'x-user': k })).body).toBe('primary');
      // Eight canary requests over both workers: minRequests only when their figures are merged.
      const sent: string[] = [];
      for (const k of low) {
        const r = await freshGet(url + '/a', { 'x-user': k });
        expect(r.body).toBe('canary');
        sent.push(String(r.headers["x-request-id"]));
      }
      const stepped = await log.wait((l) => l.msg === LOG.canaryStepped);
      expect(stepped).toMatchObject({ pid: child.pid, route: '/', from: 20, percent: 60, step: 1, requests: 8, errorRate: 0 });
      const answered = await Promise.all(sent.map((id) => log.wait((l) => l.requestId === id && l.msg === LOG.request)));
      expect(new Set(answered.map((l) => l.pid)).size).toBe(2); // neither worker alone had minRequests

      // Every worker runs 60% (each says so once it applied it), whatever connection a request comes on.
      const first = await log.wait((l) => l.msg === LOG.workerCanaryStep && l.percent === 60);
      const second = await log.wait((l) => l.msg === LOG.workerCanaryStep && l.percent === 60 && l.pid !== first.pid);
      expect([first.pid, second.pid]).not.toContain(child.pid);
      const again: string[] = [];
      for (const k of mid) {
        const r = await freshGet(url + '/b', { 'x-user': k });
        expect(r.body).toBe('canary');
        again.push(String(r.headers["x-request-id"]));
      }
      const served = await Promise.all(again.map((id) => log.wait((l) => l.requestId === id && l.msg === LOG.request)));
      expect(new Set(served.map((l) => l.pid)).size).toBe(2);
      // (six canary requests in this step: fewer than minRequests, so it stays at 60% while the test looks)

      const metrics = await (await fetch(admin + '/metrics')).text();
      expect(metrics).toMatch(/strangler_canary_percent\{route="\/"\} 60\n/);
      const routes = (await (await fetch(admin + '/routes')).json()) as { routes: { state: { canary: { progress: { percent: number; state: string } } } }[] };
      expect(routes.routes[0]!.state.canary.progress).toMatchObject({ percent: 60, state: 'climbing' });

      // A worker started later (a replacement) runs the step with its config.
      process.kill(first.pid as number, 'SIGKILL');
      const replacement = await log.wait((l) => l.msg === LOG.workerStarted && l.workerPid !== first.pid && l.workerPid !== second.pid);
      await log.wait((l) => l.msg === LOG.workerCanaryStep && l.pid === replacement.workerPid && l.percent === 60);
      const later: string[] = [];
      for (const k of mid) {
        const r = await freshGet(url + '/c', { 'x-user': k });
        expect(r.body).toBe('canary');
        later.push(String(r.headers["x-request-id"]));
      }
      const byReplacement = await Promise.all(later.map((id) => log.wait((l) => l.requestId === id && l.msg === LOG.request)));
      expect(byReplacement.map((l) => l.pid)).toContain(replacement.workerPid);
    } finally {
      child.kill('SIGKILL');
      await Promise.all([main.close(), next.close()]);
    }
  });

  it('halts in every worker when the primary sees the merged figures fail a gate', async () => {
    const main = await startUpstream((_req, res) => res.end('primary'));
    const next = await startUpstream((_req, res) => res.writeHead(500).end('broken'));
    const file = await writeConfig(
      upstreamsYaml({ main: main.url, next: next.url }) +
        'routes:\n  - prefix: /\n    upstream: main\n' +
        '    canary: { upstream: next, steps: [50, 100], stepEveryMs: 1000, stickyOn: "header:x-user", gates: { minRequests: 4, maxErrorRate: 0.1 } }\n',
    );
    const { child, log, url, admin } = await spawnBuiltWorkers(file);
    try {
      const low = keysIn(0, 5000, 4);
      for (const k of low) expect((await freshGet(url + '/a', { 'x-user': k })).body).toBe('broken');
      const halted = await log.wait((l) => l.msg === LOG.canaryHalted);
      expect(halted).toMatchObject({ pid: child.pid, route: '/', from: 50, percent: 0, state: 'halted', requests: 4, errorRate: 1 });
      const first = await log.wait((l) => l.msg === LOG.workerCanaryHalt);
      const second = await log.wait((l) => l.msg === LOG.workerCanaryHalt && l.pid !== first.pid);
      expect(second.reason).toBe(first.reason);
      const ids: string[] = [];
      for (const k of low) {
        const r = await freshGet(url + '/b', { 'x-user': k });
        expect(r.body).toBe('primary');
        ids.push(String(r.headers["x-request-id"]));
      }
      const served = await Promise.all(ids.map((id) => log.wait((l) => l.requestId === id && l.msg === LOG.request)));
      expect(new Set(served.map((l) => l.pid)).size).toBe(2);
      const metrics = await (await fetch(admin + '/metrics')).text();
      expect(metrics).toContain('strangler_canary_halted{route="/"} 1');
      expect(metrics).toMatch(/strangler_canary_percent\{route="\/"\} 0\n/);
    } finally {
      child.kill('SIGKILL');
      await Promise.all([main.close(), next.close()]);
    }
  });
});
