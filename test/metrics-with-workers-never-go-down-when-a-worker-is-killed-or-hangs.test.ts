// --workers 2 (real processes, the built CLI): the primary's /metrics sums the workers' counters,
// and no series goes down when a worker is killed and replaced, or hangs through a scrape (a drop
// is a counter reset to Prometheus: increase() would count the survivor's whole total as new).
import { describe, expect, it } from 'vitest';
import { freshGet } from './helpers/client.js';
import { startUpstream, upstreamsYaml, writeConfig } from './helpers/servers.js';
import { spawnBuiltWorkers } from './helpers/spawn-proxy.js';
import { LOG } from '../src/observability/log-messages.js';

/** Every strangler_requests_total series of a scrape: "{labels}" -> value. */
async function requestsTotal(admin: string): Promise<Record<string, number>> {
  const text = await (await fetch(admin + '/metrics')).text();
  const lines = text.split('\n').filter((l) => l.startsWith('strangler_requests_total{'));
  return Object.fromEntries(lines.map((l) => [l.slice('strangler_requests_total'.length, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))]));
}

describe('/metrics with --workers 2', () => {
  it('keeps every requests_total series from going down when a worker is killed and replaced, or hangs', async () => {
    const legacy = await startUpstream((req, res) => res.end('legacy ' + req.url));
    const users = await startUpstream((req, res) => res.end('users ' + req.url));
    const file = await writeConfig(upstreamsYaml({ legacy: legacy.url, users: users.url }) + 'routes:\n  - { prefix: /users, upstream: users }\n  - { prefix: /, upstream: legacy }\n');
    const { child, log, url, admin } = await spawnBuiltWorkers(file);
    try {
      for (let i = 0; i < 24; i++) expect((await freshGet(`${url}${i % 3 === 0 ? '/home' : '/users'}/${i}`)).status).toBe(200);
      // Each access line is written where its request is counted: once all 24 are in, a scrape sees them.
      for (let i = 0; i < 24; i++) await log.wait((l) => l.msg === LOG.request && typeof l.path === 'string' && l.path.endsWith(`/${i}`));
      const answeredBy = new Set(log.all.filter((l) => l.msg === LOG.request).map((l) => l.pid as number));
      expect(answeredBy.size).toBe(2); // the worker killed below counted some of them

      const before = await requestsTotal(admin);
      expect(Object.values(before).reduce((a, b) => a + b, 0)).toBe(24);

      const [victim, survivor] = [...answeredBy];
      process.kill(victim!, 'SIGKILL');
      expect(await log.wait((l) => l.msg === LOG.workerDied)).toMatchObject({ workerPid: victim, signal: 'SIGKILL' });
      await log.wait((l) => l.msg === LOG.workerStarted && l.workerPid !== victim && l.workerPid !== survivor);
      // No traffic since: every series is what it was (not down, nor counted twice).
      expect(await requestsTotal(admin)).toEqual(before);

      // The survivor stops answering: the scrape waits for it (5 s), then sums its last values.
      process.kill(survivor!, 'SIGSTOP');
      try {
        expect(await requestsTotal(admin)).toEqual(before);
      } finally {
        process.kill(survivor!, 'SIGCONT');
      }
    } finally {
      child.kill('SIGKILL');
      await Promise.all([legacy.close(), users.close()]);
    }
  });
});
