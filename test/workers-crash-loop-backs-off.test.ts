// A worker that keeps dying is re-forked after a growing delay (src/workers/backoff.ts): the rule
// as a pure function, then real processes (--workers 2, the built CLI) whose replacement worker
// is SIGKILLed as soon as it is up, three times: the delays logged grow. Nothing sleeps.
import { describe, expect, it } from 'vitest';
import { BACKOFF, nextDelay, remember } from '../src/workers/backoff.js';
import { LOG } from '../src/observability/log-messages.js';
import { startUpstream, upstreamsYaml, writeConfig } from './helpers/servers.js';
import { spawnBuiltProxy } from './helpers/spawn-proxy.js';
import { logLines } from './helpers/log-lines.js';

const quick = 50; // ms up before dying: far below BACKOFF.stableMs

describe('nextDelay', () => {
  it('re-forks at once after a worker that had stayed up, then 100 ms doubling to 10 s for quick deaths in a row', () => {
    expect(nextDelay([])).toBe(0);
    expect(nextDelay([BACKOFF.stableMs])).toBe(0);
    let history: number[] = [];
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) delays.push(nextDelay((history = remember(history, quick))));
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000]);
  });

  it('starts again from 100 ms once a worker stayed up stableMs', () => {
    let history = [quick, quick, quick, quick];
    expect(nextDelay(history)).toBe(800);
    history = remember(history, BACKOFF.stableMs);
    expect(history).toEqual([BACKOFF.stableMs]);
    expect(nextDelay(history)).toBe(0);
    expect(nextDelay(remember(history, quick))).toBe(100);
    expect(nextDelay([quick, BACKOFF.stableMs + 1, quick, quick])).toBe(200);
  });

  it('stays at maxMs however long the loop runs, and keeps a bounded history', () => {
    let history: number[] = [];
    for (let i = 0; i < 5000; i++) history = remember(history, quick);
    expect(history.length).toBeLessThanOrEqual(40);
    expect(nextDelay(history)).toBe(BACKOFF.maxMs);
    expect(nextDelay(Array.from({ length: 2000 }, () => quick))).toBe(BACKOFF.maxMs);
    expect(nextDelay([quick, quick, quick], { firstMs: 10, maxMs: 25, stableMs: 100 })).toBe(25);
  });
});

describe('--workers 2 with a worker that keeps dying', () => {
  it('logs each re-fork with its delay, and the delays grow; the other worker is untouched', async () => {
    const up = await startUpstream((_req, res) => res.end('ok'));
    const child = spawnBuiltProxy(await writeConfig(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app }\n'), ['--workers', '2']);
    const log = logLines(child);
    try {
      await log.wait((l) => l.msg === LOG.listening);
      const started = log.all.filter((l) => l.msg === LOG.workerStarted).map((l) => l.workerPid as number);
      expect(started).toHaveLength(2);
      const [bystander] = started;
      let victim = started[1]!;
      const delays: number[] = [];
      for (let i = 0; i < 3; i++) {
        process.kill(victim, 'SIGKILL');
        const died = await log.wait((l) => l.msg === LOG.workerDied && l.workerPid === victim);
        expect(died.upMs as number).toBeLessThan(BACKOFF.stableMs);
        delays.push(died.restartInMs as number);
        const seen = new Set([bystander, ...log.all.filter((l) => l.msg === LOG.workerDied).map((l) => l.workerPid)]);
        victim = (await log.wait((l) => l.msg === LOG.workerStarted && !seen.has(l.workerPid as number))).workerPid as number;
      }
      expect(delays).toEqual([100, 200, 400]);
      expect(log.all.filter((l) => l.msg === LOG.workerDied)).toHaveLength(3); // once per re-fork
      expect(log.all.some((l) => l.msg === LOG.workerDied && l.workerPid === bystander)).toBe(false);
    } finally {
      child.kill('SIGKILL');
      await up.close();
    }
  });
});
