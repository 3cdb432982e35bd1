// --workers 2: POST /reload waits until every worker runs the new version. Two reloads close
// together, one worker slow (stopped here with SIGSTOP): once both workers ran the second
// version, the first POST still waited for every worker to run exactly the first, which could no
// longer happen: 504 workers_not_confirmed after 10 s and a warning, for a reload that had been
// applied (a deploy script treating 504 as failure rolled back for nothing). A worker running a
// version sent after the one awaited now confirms it.

import { writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { LOG } from '../src/observability/log-messages.js';
import { logLines } from './helpers/log-lines.js';
import { startUpstream, upstreamsYaml, writeConfig } from './helpers/servers.js';
import { spawnBuiltProxy } from './helpers/spawn-proxy.js';

interface Routes { version: string; workers: { pid: number; version: string }[] }

describe('two reloads close together, one worker slow', () => {
  it('answers both 200 once every worker runs the second', async () => {
    const a = await startUpstream((req, res) => res.end('a'));
    const yaml = (prefix: string) => upstreamsYaml({ a: a.url }) + `routes:\n  - { prefix: ${prefix}, upstream: a }\n`;
    const file = await writeConfig(yaml('/'));
    const child = spawnBuiltProxy(file, ['--workers', '2']);
    const log = logLines(child);
    let slow = 0;
    try {
      const up = await log.wait((l) => l.msg === LOG.listening);
      const admin = `http://127.0.0.1:${up.adminPort as number}`;
      const routes = async (): Promise<Routes> => (await fetch(admin + '/routes')).json() as never;
      const before = await routes();
      slow = before.workers[1]!.pid;
      process.kill(slow, 'SIGSTOP');

      await writeFile(file, yaml('/first'));
      const first = fetch(admin + '/reload', { method: 'POST' });
      // The primary has applied the first file before the second is written (bounded poll).
      let now = await routes();
      for (let i = 0; i < 250 && now.version === before.version; i++) now = (await sleep(20), await routes());
      expect(now.version).not.toBe(before.version);

      await writeFile(file, yaml('/second'));
      const second = fetch(admin + '/reload', { method: 'POST' });
      // The other worker runs the second version before the slow one runs any: the two never
      // run the first together.
      let later = await routes();
      for (let i = 0; i < 250 && (later.version === now.version || later.workers[0]!.version !== later.version); i++) later = (await sleep(20), await routes());
      expect(later.workers.map((w) => w.version)).toEqual([later.version, before.version]);
      process.kill(slow, 'SIGCONT');
      const [answered, secondAnswer] = await Promise.all([first, second]);
      expect(secondAnswer.status).toBe(200);
      expect(answered.status).toBe(200);
      const body = (await answered.json()) as { version: string; workers: { version: string }[] };
      expect(body.version).toBe(now.version);
      expect(log.all.filter((l) => l.msg === LOG.workerReloadTimeout)).toEqual([]);
    } finally {
      try {
        if (slow !== 0) process.kill(slow, 'SIGCONT'); // (a failed expect must not leave it stopped)
      } catch {
        // gone already
      }
      child.kill('SIGKILL');
      await a.close();
    }
  });
});
