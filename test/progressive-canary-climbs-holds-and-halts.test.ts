// The progressive canary through a real proxy and real upstreams. Time is a test clock and the
// gates are checked when the test ticks (no timer, no sleeping); the split draws from a cycling
// source, so at N% exactly N of every 100 requests go to the canary.
import { readFile, writeFile } from 'node:fs/promises';
import { Agent, fetch } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, testClock, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';
import type { CanaryProgressView } from '../src/status/types.js';

const agent = new Agent({ connections: 16 });
let legacy: Upstream, users: Upstream;
let failing = false;
let slowMs = 0;
beforeAll(async () => {
  legacy = await startUpstream((_req, res) => res.end('primary'));
  users = await startUpstream((_req, res) => {
    const answer = () => (failing ? res.writeHead(500).end('boom') : res.end('canary'));
    // A slow canary: a fixed wait inside the upstream (what the latency gate measures), not a wait of the test's.
    if (slowMs > 0) setTimeout(answer, slowMs);
    else answer();
  });
});
afterAll(async () => {
  await Promise.all([legacy.close(), users.close()]);
  await agent.close();
});

let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  failing = false;
  slowMs = 0;
});

const STEP_MS = 60_000;
// The latency gate is left wide where latency is not what the test is about: two equal local
// upstreams measured on a busy machine are not equal enough for a 1.5x gate.
const WIDE = 'maxP99Ratio: 1000';
const yaml = (gates: string, other = '', stepEveryMs = STEP_MS) =>
  upstreamsYaml({ legacy: legacy.url, users: users.url }) +
  'routes:\n  - prefix: /users\n    upstream: legacy\n' +
  `    canary: { upstream: users, steps: [10, 50, 100], stepEveryMs: ${stepEveryMs}, gates: { ${gates} } }\n` +
  `  - { prefix: /, upstream: legacy${other} }\n`;

async function start(config: string) {
  const clock = testClock();
  let tick: (() => Promise<void>) | null = null;
  let draw = 0;
  proxy = await startProxy(config, {
    clock,
    random: () => (draw++ % 100) / 100,
    canaryTicker: (t) => {
      tick = t;
      return () => (tick = null);
    },
  });
  const p = proxy;
  return {
    p,
    clock,
    /** The step's time passes and the gates are checked. */
    check: async (ms = STEP_MS) => {
      clock.advance(ms);
      await tick!();
    },
    /** `n` requests (16 at a time): how many the canary answered. */
    send: async (n: number) => {
      let canary = 0;
      for (let i = 0; i < n; i += 16) {
        const bodies = await Promise.all(
          Array.from({ length: Math.min(16, n - i) }, async () => (await fetch(p.url + '/users/1', { dispatcher: agent })).text()),
        );
        canary += bodies.filter((b) => b === 'canary' || b === 'boom').length;
      }
      return canary;
    },
    progress: async (): Promise<CanaryProgressView> => {
      const routes = (await (await fetch(p.adminUrl + '/routes')).json()) as { routes: { prefix: string; state: { canary?: { progress?: CanaryProgressView } } }[] };
      return routes.routes.find((r) => r.prefix === '/users')!.state.canary!.progress!;
    },
    metric: async (name: string) => {
      const text = await (await fetch(p.adminUrl + '/metrics')).text();
      const line = text.split('\n').find((l) => l.startsWith(`${name}{route="/users"}`));
      return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
    },
    lines: (msg: string) => p.logs.filter((l) => l.msg === msg),
  };
}

describe('a progressive canary', () => {
  it('climbs one step per stepEveryMs on a healthy canary, then says it is ready and never writes the file', async () => {
    const t = await start(yaml(`minRequests: 10, maxErrorRate: 0.01, ${WIDE}`));
    const before = await readFile(t.p.file, 'utf8');
    expect(await t.progress()).toMatchObject({ percent: 10, steps: [10, 50, 100], step: 0, state: 'climbing', last: null });
    expect(await t.metric('strangler_canary_percent')).toBe(10);

    expect(await t.send(100)).toBe(10);
    await t.check(STEP_MS - 1); // not yet a whole step
    expect(t.lines(LOG.canaryStepped)).toEqual([]);
    await t.check(1);
    const first = t.lines(LOG.canaryStepped);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      route: '/users', canary: 'users', primary: 'legacy', from: 10, percent: 50, step: 1, state: 'climbing',
      requests: 10, errorRate: 0, primaryRequests: 90, maxErrorRate: 0.01, maxP99Ratio: 1000, minRequests: 10,
    });
    expect(typeof first[0]!.p99Ms).toBe('number');
    expect(typeof first[0]!.primaryP99Ms).toBe('number');
    expect(await t.metric('strangler_canary_percent')).toBe(50);
    const climbing = await t.progress();
    expect(climbing).toMatchObject({ percent: 50, step: 1, state: 'climbing', last: { requests: 10, errorRate: 0, result: 'advanced' } });
    expect(climbing.stepStartedAt).toBe(new Date(t.clock.now()).toISOString());
    expect(climbing.nextCheckAt).toBe(new Date(t.clock.now() + STEP_MS).toISOString());

    expect(await t.send(100)).toBe(50); // the split reads the live step
    await t.check();
    const last = t.lines(LOG.canaryStepped)[1]!;
    expect(last).toMatchObject({ from: 50, percent: 100, step: 2, state: 'ready', requests: 50 });
    expect(last.reason).toContain('ready to cut over: set upstream: users');
    expect(await t.progress()).toMatchObject({ percent: 100, step: 2, state: 'ready', nextCheckAt: null });
    expect((await t.progress()).last!.reason).toContain('ready to cut over: set upstream: users');

    expect(await t.send(20)).toBe(20);
    await t.check();
    await t.check();
    expect(t.lines(LOG.canaryStepped)).toHaveLength(2); // at the last step: no more checks
    expect(await t.metric('strangler_canary_percent')).toBe(100);
    expect(await readFile(t.p.file, 'utf8')).toBe(before);
  });

  it('halts on errors as halt does: everything to the primary, halted in /routes and the metrics', async () => {
    const t = await start(yaml(`minRequests: 10, maxErrorRate: 0.1, ${WIDE}`));
    failing = true;
    expect(await t.send(100)).toBe(10);
    await t.check();
    const [halt] = t.lines(LOG.canaryHalted);
    expect(halt).toMatchObject({ route: '/users', percent: 0, from: 10, state: 'halted', requests: 10, errorRate: 1, maxErrorRate: 0.1 });
    expect(halt!.reason).toMatch(/error rate 1\.000 over 10 requests exceeds maxErrorRate 0\.1/);
    expect(t.lines(LOG.canaryStepped)).toEqual([]);
    expect(await t.metric('strangler_canary_halted')).toBe(1);
    expect(await t.metric('strangler_canary_percent')).toBe(0);
    const routes = (await (await fetch(t.p.adminUrl + '/routes')).json()) as { routes: { state: { canary?: { halted: { reason: string } | null } } }[] };
    expect(routes.routes[0]!.state.canary!.halted!.reason).toContain('error rate 1.000');
    expect(await t.progress()).toMatchObject({ percent: 0, step: 0, state: 'halted', nextCheckAt: null, last: { result: 'halted', requests: 10, errorRate: 1 } });
    expect(await t.send(100)).toBe(0);
    await t.check();
    expect(t.lines(LOG.canaryHalted)).toHaveLength(1);
  });

  it('halts when the canary\'s p99 exceeds maxP99Ratio times the primary\'s over the step', async () => {
    const t = await start(yaml('minRequests: 10, maxErrorRate: 0.1, maxP99Ratio: 1.5'));
    // 360 primary requests: their p99 is their 4th slowest, so a few slow ones on a busy machine
    // do not come near the canary's 300 ms.
    slowMs = 300;
    expect(await t.send(400)).toBe(40);
    await t.check();
    const [halt] = t.lines(LOG.canaryHalted);
    expect(halt).toMatchObject({ route: '/users', requests: 40, errorRate: 0, primaryRequests: 360, maxP99Ratio: 1.5 });
    expect(halt!.p99Ms as number).toBeGreaterThanOrEqual(300);
    expect(halt!.p99Ms as number).toBeGreaterThan(1.5 * (halt!.primaryP99Ms as number));
    expect(halt!.reason).toContain("exceeds maxP99Ratio 1.5 x the primary's p99");
    expect(await t.progress()).toMatchObject({ state: 'halted', percent: 0 });
    expect(await t.send(50)).toBe(0);
  });

  it('holds below minRequests and keeps counting, then climbs once the step has enough', async () => {
    const t = await start(yaml(`minRequests: 20, maxErrorRate: 0.01, ${WIDE}`));
    expect(await t.send(100)).toBe(10);
    await t.check();
    const [held] = t.lines(LOG.canaryStepHeld);
    expect(held).toMatchObject({ route: '/users', from: 10, percent: 10, step: 0, state: 'climbing', requests: 10, minRequests: 20 });
    expect(held!.reason).toContain('fewer than minRequests 20');
    expect(await t.progress()).toMatchObject({ percent: 10, step: 0, state: 'climbing', last: { result: 'held', requests: 10 } });
    expect(await t.metric('strangler_canary_percent')).toBe(10);
    expect(await t.send(100)).toBe(10);
    await t.check();
    expect(t.lines(LOG.canaryStepped)[0]).toMatchObject({ from: 10, percent: 50, requests: 20 });
  });

  it('keeps its step through a reload that changes another route, and starts afresh when its own canary changes', async () => {
    const gates = `minRequests: 10, maxErrorRate: 0.01, ${WIDE}`;
    const t = await start(yaml(gates));
    /** Writes the file and reloads it (the file watcher may have loaded it first: then it is unchanged). */
    const reload = async (config: string) => {
      const before = t.p.proxy.store.current.version;
      await writeFile(t.p.file, config);
      const outcome = await t.p.proxy.reload('admin');
      expect(['success', 'unchanged']).toContain(outcome.result);
      expect(t.p.proxy.store.current.version).not.toBe(before);
    };
    expect(await t.send(100)).toBe(10);
    await t.check();
    expect((await t.progress()).percent).toBe(50);
    expect(await t.send(100)).toBe(50); // figures of the step so far: kept with the step

    await reload(yaml(gates, ', timeoutMs: 5000'));
    expect(t.lines(LOG.configReloaded).at(-1)).toMatchObject({ changes: [expect.stringContaining('timeoutMs')] });
    expect(await t.progress()).toMatchObject({ percent: 50, step: 1, state: 'climbing' });
    expect(await t.send(100)).toBe(50);
    await t.check();
    expect(t.lines(LOG.canaryStepped)[1]).toMatchObject({ from: 50, percent: 100, requests: 100 });

    await reload(yaml(gates, ', timeoutMs: 5000', 2 * STEP_MS));
    expect(await t.progress()).toMatchObject({ percent: 10, step: 0, state: 'climbing', last: null });
    expect(await t.metric('strangler_canary_percent')).toBe(10);
    expect(await t.send(100)).toBe(10);
  });
});
