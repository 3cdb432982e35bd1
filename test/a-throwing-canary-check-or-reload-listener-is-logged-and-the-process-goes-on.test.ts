// The canary's gate checks run on a timer and the reload listener after each reload: neither has a
// caller to hand an exception to, and an unhandled rejection ends the process on Node 20. Both catch
// it, log it (aggregated: at most one line a minute while it keeps throwing, with the count and the
// error) and go on. The clock is a test clock; the ticks are the test's calls.
import { afterAll, describe, expect, it } from 'vitest';
import { CanaryHalt } from '../src/canary/halt.js';
import { CanaryProgress } from '../src/canary/progress.js';
import { CHECK_FAILED_LOG_MS, CanaryStepper } from '../src/canary/stepper.js';
import { countAnswer, emptyStepStats } from '../src/canary/gates.js';
import { UpstreamPools } from '../src/forward/pools.js';
import { LOG } from '../src/observability/log-messages.js';
import { Metrics } from '../src/observability/metrics.js';
import type { Logger } from '../src/observability/logger.js';
import { Reloader } from '../src/routing/reloader.js';
import { testClock, upstreamsYaml, writeConfig } from './helpers/servers.js';
import { writeFile } from 'node:fs/promises';

type Line = Record<string, unknown> & { level: string };

function capturingLogger(): { logger: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => (o: Record<string, unknown>) => void lines.push({ ...o, level });
  return { logger: { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') } as unknown as Logger, lines };
}

describe('a canary check that throws', () => {
  it('is logged once a minute with its count and the error, and the next tick checks again', async () => {
    const clock = testClock();
    const cfg = { steps: [10, 50, 100], stepEveryMs: 1000, gates: { maxErrorRate: 0.5, maxP99Ratio: 1000, minRequests: 1 } };
    const progress = new CanaryProgress(cfg, new CanaryHalt(null, clock, true), clock);
    const { logger, lines } = capturingLogger();
    let broken = true;
    const stepper = new CanaryStepper({
      routes: () => [{ label: '/r', id: 'k f', canary: 'next', primary: 'legacy', progress }],
      clock,
      logger,
      onHalt: () => {},
      gather: async () => {
        if (broken) throw new Error('the workers could not be asked');
        const good = emptyStepStats();
        countAnswer(good, true, false, 5);
        return new Map([['k f', good]]);
      },
    });
    clock.advance(1000);
    for (let i = 0; i < 3; i++) await stepper.tick(); // resolves: nothing to crash the process
    const failed = () => lines.filter((l) => l.msg === LOG.canaryCheckFailed);
    expect(failed()).toHaveLength(1);
    expect(failed()[0]).toMatchObject({ level: 'error', count: 1 });
    expect((failed()[0]!.err as Error).message).toBe('the workers could not be asked');

    clock.advance(CHECK_FAILED_LOG_MS);
    await stepper.tick();
    expect(failed()).toHaveLength(2);
    expect(failed()[1]).toMatchObject({ count: 3 }); // the two folded ones and this one

    broken = false;
    await stepper.tick();
    expect(progress.percent).toBe(50);
    expect(lines.some((l) => l.msg === LOG.canaryStepped)).toBe(true);
  });

  it('tells the workers (changed) throwing is caught the same way', async () => {
    const clock = testClock();
    const cfg = { steps: [10, 100], stepEveryMs: 1000, gates: { maxErrorRate: 0.5, maxP99Ratio: 1000, minRequests: 1 } };
    const progress = new CanaryProgress(cfg, new CanaryHalt(null, clock, true), clock);
    progress.record(true, false, 5);
    const { logger, lines } = capturingLogger();
    const stepper = new CanaryStepper({
      routes: () => [{ label: '/r', id: 'k f', canary: 'next', primary: 'legacy', progress }],
      clock,
      logger,
      onHalt: () => {},
      changed: () => {
        throw new Error('channel closed');
      },
    });
    clock.advance(1000);
    await stepper.tick();
    const failed = lines.filter((l) => l.msg === LOG.canaryCheckFailed);
    expect(failed).toHaveLength(1);
    expect((failed[0]!.err as Error).message).toBe('channel closed');
  });
});

describe('a reload listener that throws', () => {
  const pools = new UpstreamPools();
  afterAll(() => pools.destroy());

  it('is logged with the error; the reload is done and the next one is told again', async () => {
    const file = await writeConfig(upstreamsYaml({ legacy: 'http://127.0.0.1:1' }) + 'routes:\n  - { prefix: /, upstream: legacy }\n');
    const { logger, lines } = capturingLogger();
    const clock = testClock();
    const told: string[] = [];
    const reloader = new Reloader({
      file, env: {}, pools, metrics: new Metrics(), logger, clock,
      onReload: (o) => {
        told.push(o.result);
        throw new Error('the status book is broken');
      },
    });
    await reloader.start();
    await writeFile(file, upstreamsYaml({ legacy: 'http://127.0.0.1:2' }) + 'routes:\n  - { prefix: /, upstream: legacy }\n');
    expect((await reloader.reload('admin')).result).toBe('success');
    const failed = () => lines.filter((l) => l.msg === LOG.reloadListenerFailed);
    expect(failed()).toHaveLength(1);
    expect(failed()[0]).toMatchObject({ level: 'error', trigger: 'admin', result: 'success', count: 1 });
    expect((failed()[0]!.err as Error).message).toBe('the status book is broken');

    expect((await reloader.reload('signal')).result).toBe('unchanged');
    expect(told).toEqual(['success', 'unchanged']);
    expect(failed()).toHaveLength(1); // within the minute: folded into the next line's count
  });
});
