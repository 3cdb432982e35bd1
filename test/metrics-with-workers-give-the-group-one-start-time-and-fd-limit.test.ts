// --workers 2 (real processes, the built CLI): the primary's /metrics describes the group's
// process metrics as one process where a sum means nothing: one process_start_time_seconds (the
// workers' are left out by prom-client: it was missing) and the descriptor limit as set, not the
// workers' limits added up (two workers read twice the ulimit). CPU and memory stay the workers' sum.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startUpstream, upstreamsYaml, writeConfig } from './helpers/servers.js';
import { spawnBuiltWorkers } from './helpers/spawn-proxy.js';

function sample(text: string, name: string): number[] {
  return text.split('\n').filter((l) => l.startsWith(`${name} `)).map((l) => Number(l.slice(name.length + 1)));
}

describe('/metrics with --workers 2', () => {
  it('has one process_start_time_seconds and the fd limit of one process', async () => {
    const up = await startUpstream((_req, res) => res.end('ok'));
    const file = await writeConfig(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n');
    const { child, admin } = await spawnBuiltWorkers(file);
    try {
      const text = await (await fetch(admin + '/metrics')).text();
      // The soft limit every process of the group inherits from this one (prom-client reads the same line).
      const limit = Number(/^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))![1]);
      expect(sample(text, 'process_max_fds')).toEqual([limit]);
      const [started] = sample(text, 'process_start_time_seconds');
      expect(sample(text, 'process_start_time_seconds')).toHaveLength(1);
      expect(Math.abs(started! - Date.now() / 1000)).toBeLessThan(600); // (a start time, not a sum or a count)
      expect(sample(text, 'process_cpu_seconds_total')).toHaveLength(1);
    } finally {
      child.kill('SIGKILL');
      await up.close();
    }
  });
});
