// With workers the primary awaits every worker's figures before it decides (up to seconds of IPC).
// A reload in that time that changed a route compiles a fresh canary state for it: the decision,
// made on the old state's figures, must not halt or step anything then (no "canary halted" line,
// no halted gauge for the live route, whose fresh canary is running). A route the reload left
// alone keeps its state object and is decided as usual. Test clock; the test ticks.
import { describe, expect, it } from 'vitest';
import { CanaryHalt } from '../src/canary/halt.js';
import { CanaryProgress } from '../src/canary/progress.js';
import { CanaryStepper, type SteppedRoute } from '../src/canary/stepper.js';
import { countAnswer, emptyStepStats } from '../src/canary/gates.js';
import { LOG } from '../src/observability/log-messages.js';
import type { Logger } from '../src/observability/logger.js';
import { testClock } from './helpers/servers.js';

describe('a gate check whose figures arrive after a reload', () => {
  it('decides only the routes whose state is still the live one', async () => {
    const clock = testClock();
    const cfg = { steps: [10, 50, 100], stepEveryMs: 1000, gates: { maxErrorRate: 0.1, maxP99Ratio: 1000, minRequests: 4 } };
    const state = () => {
      const halt = new CanaryHalt(null, clock, true);
      return { halt, progress: new CanaryProgress(cfg, halt, clock) };
    };
    const changedOld = state();
    const changedFresh = state();
    const kept = state();
    const route = (label: string, id: string, s: { progress: CanaryProgress }): SteppedRoute => ({ label, id, canary: 'next', primary: 'legacy', progress: s.progress });
    let table = [route('/orders', 'orders f1', changedOld), route('/users', 'users f1', kept)];

    const failing = emptyStepStats();
    for (let i = 0; i < 5; i++) countAnswer(failing, true, true, 5);
    const healthy = emptyStepStats();
    for (let i = 0; i < 5; i++) countAnswer(healthy, true, false, 5);
    const lines: Record<string, unknown>[] = [];
    const log = (o: Record<string, unknown>) => void lines.push(o);
    const halts: string[] = [];
    let told = 0;
    const stepper = new CanaryStepper({
      routes: () => table,
      clock,
      logger: { error: log, warn: log, info: log, debug: log } as unknown as Logger,
      onHalt: (r) => halts.push(r.label),
      gather: async () => {
        // The workers answered before they applied the reload (their figures carry the old id);
        // the primary's reload changed /orders meanwhile and left /users as it was.
        table = [route('/orders', 'orders f2', changedFresh), route('/users', 'users f1', kept)];
        return new Map([['orders f1', failing], ['users f1', healthy]]);
      },
      changed: () => void told++,
    });

    clock.advance(1000);
    await stepper.tick();

    expect(halts).toEqual([]);
    expect(lines.filter((l) => l.msg === LOG.canaryHalted)).toEqual([]);
    expect(changedFresh.halt.halted).toBeNull();
    expect(changedFresh.progress.view()).toMatchObject({ state: 'climbing', percent: 10, last: null });
    expect(changedOld.halt.halted).toBeNull();
    // The route the reload kept was decided on its figures.
    expect(kept.progress.percent).toBe(50);
    expect(lines.filter((l) => l.msg === LOG.canaryStepped).map((l) => l.route)).toEqual(['/users']);
    expect(told).toBe(1);
  });
});
