// --workers 2 (real processes, the built CLI): the primary's GET /status asks every worker for
// its cells and merges them: its counts are every worker's requests, as the merged /metrics says;
// a reload through the primary is listed with its changes in words.
import { freshGet } from './helpers/client.js';
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { startUpstream, upstreamsYaml, writeConfig } from './helpers/servers.js';
import { spawnBuiltWorkers } from './helpers/spawn-proxy.js';
import { LOG } from '../src/observability/log-messages.js';
import type { MigrationStatus } from '../src/status/types.js';

const sumOf = (text: string, name: string, match = ''): number =>
  text.split('\n').filter((l) => l.startsWith(name) && l.includes(match)).reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);

describe('GET /status with --workers 2', () => {
  it("counts every worker's requests, like the merged /metrics", async () => {
    const legacy = await startUpstream((req, res) => res.end('legacy ' + req.url));
    const users = await startUpstream((req, res) => res.end('users ' + req.url));
    const yaml = (usersTo: string) => upstreamsYaml({ legacy: legacy.url, users: users.url }) + `routes:\n  - { prefix: /users, upstream: ${usersTo} }\n  - { prefix: /, upstream: legacy }\n`;
    const file = await writeConfig(yaml('users'));
    const { child, log, url, admin } = await spawnBuiltWorkers(file);
    try {
      for (let i = 0; i < 24; i++) expect((await freshGet(`${url}${i % 3 === 0 ? '/home' : '/users'}/${i}`)).status).toBe(200);
      // Each access line is written where the request's cell is counted: all 24 written, all counted.
      for (let i = 0; i < 24; i++) await log.wait((l) => l.msg === LOG.request && typeof l.path === 'string' && l.path.endsWith(`/${i}`));
      const pids = new Set(log.all.filter((l) => l.msg === LOG.request).map((l) => l.pid));
      expect(pids.size).toBe(2); // both workers answered some

      const status = (await (await fetch(admin + '/status')).json()) as MigrationStatus;
      const metrics = await (await fetch(admin + '/metrics')).text();
      expect(sumOf(metrics, 'strangler_requests_total{')).toBe(24);
      expect(status.progress.sinceStart).toEqual({ requests: 24, nonLegacy: sumOf(metrics, 'strangler_requests_total{', 'upstream="users"'), share: 16 / 24 });
      const sides = Object.fromEntries(status.routes.map((r) => [r.label, r.sides.map((s) => [s.upstream, s.requests])]));
      expect(sides).toEqual({ '/users': [['users', 16]], '/': [['legacy', 8]] });
      expect(status.routes.map((r) => r.stageText)).toEqual(['cut over', 'legacy']);

      await writeFile(file, yaml('legacy'));
      expect((await fetch(admin + '/reload', { method: 'POST' })).status).toBe(200);
      const after = (await (await fetch(admin + '/status')).json()) as MigrationStatus;
      expect(after.reloads[0]).toMatchObject({ result: 'success', trigger: 'admin' });
      expect(after.reloads[0]!.changes.join('\n')).toContain('/users');
      expect(after.routes.map((r) => r.stageText)).toEqual(['legacy', 'legacy']);
      // The since-start counts outlive the reload, kept by route label.
      expect(after.progress.sinceStart.requests).toBe(24);
    } finally {
      child.kill('SIGKILL');
      await Promise.all([legacy.close(), users.close()]);
    }
  });
});
