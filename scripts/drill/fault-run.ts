// The fault drill's schedule: bring the stack up, check every path answers, start the load, kill
// the users service at killAtMs, restart it downMs later, keep the load going until durationMs
// (longer, up to the bar, while the breaker has not closed again), then read the metrics and the
// live table, stop everything and judge.
import { setTimeout as sleep } from 'node:timers/promises';
import { planPinning } from '../bench/cpu.js';
import { readBreakerState, readResilienceMetrics, subtract, type ResilienceMetrics } from './fault-admin.js';
import { epochMs, sleepUntil } from './common-clock.js';
import { describePinning } from './common-pinning.js';
import { describeExit } from '../lib/demo/child.js';
import type { LoadPath } from './common-timed-get.js';
import { FaultLoad } from './fault-load.js';
import { judge, type FaultObservations, type FaultVerdict } from './fault-report.js';
import { FAULT_POLICY } from './fault-routes.js';
import { FaultStack, type UsersReturn } from './fault-stack.js';

export interface FaultDrillOptions {
  readonly clients: number;
  readonly rate: number;
  readonly durationMs: number;
  readonly killAtMs: number;
  readonly downMs: number;
  /** Pin the proxy to its own CPU, everything else to another (needs 2 CPUs and taskset). */
  readonly pin: boolean;
  /** Progress lines (stderr). */
  readonly say: (line: string) => void;
}

export const FAULT_DEFAULTS = { clients: 16, rate: 1600, durationMs: 12_000, killAtMs: 3000, downMs: 4000 } as const;

/** The users API as the demo seeds it (users 1..3); /users/999 is a 404 on both sides. */
export const FAULT_PATHS: readonly LoadPath[] = [
  { path: '/users' },
  { path: '/users/1' },
  { path: '/users/2/details' },
  { path: '/users/2' },
  { path: '/users/3' },
  { path: '/users/1/details' },
  { path: '/users/999', expect: 404 },
  { path: '/users/3/details' },
];

const ROUTE = '/users';

export async function runFaultDrill(o: FaultDrillOptions): Promise<{ observations: FaultObservations; verdict: FaultVerdict }> {
  const policy = FAULT_POLICY;
  const pinning = planPinning(o.pin);
  const stack = new FaultStack({ policy, proxyCpu: pinning.proxyCpu, say: o.say });
  const problems: string[] = [];
  let load: FaultLoad | undefined;
  try {
    o.say(`starting the stack in ${stack.tmpDir}`);
    await stack.start();
    o.say(`legacy ${stack.legacyUrl}, users ${stack.usersUrl}, proxy ${stack.proxyUrl} (admin ${stack.adminUrl})`);
    await checkPaths(stack.proxyUrl);
    const before = await readResilienceMetrics(stack.adminUrl, ROUTE);

    load = new FaultLoad({ origin: stack.proxyUrl, paths: FAULT_PATHS, clients: o.clients, rate: o.rate, timeoutMs: 5000 });
    load.start();
    const t0 = load.record.startedAt;
    o.say(`load started: ${o.clients} clients, ${o.rate} req/s`);

    await sleepUntil(t0 + o.killAtMs);
    const killed = await stack.killUsers();
    const kill = { at: killed.at, exit: describeExit(killed.exit) };
    o.say(`users service SIGKILLed at +${((kill.at - t0) / 1000).toFixed(3)} s`);

    await sleepUntil(kill.at + o.downMs);
    let restart: UsersReturn | undefined;
    try {
      restart = await stack.restartUsers();
      o.say(`users service back at +${((restart.backAt - t0) / 1000).toFixed(3)} s (pid ${restart.pid})`);
    } catch (err) {
      problems.push(`restarting the users service failed: ${(err as Error).message}`);
    }

    await sleepUntil(t0 + o.durationMs);
    // The breaker may need the load to close (its trial is a request): keep it going up to the bar.
    if (restart !== undefined) {
      const deadline = restart.backAt + policy.breaker.halfOpenAfterMs + 1000 + 500;
      while (epochMs() < deadline && lastEvent(stack, kill.at) !== 'closed') await sleep(50);
    }
    await load.stop();
    o.say(`load stopped: ${load.record.sentAt.length} requests`);
    await sleep(250); // the proxy writes its log in batches, at least every 100 ms

    let after: ResilienceMetrics | undefined;
    let finalBreaker: FaultObservations['finalBreaker'];
    try {
      after = await readResilienceMetrics(stack.adminUrl, ROUTE);
      finalBreaker = { routes: await readBreakerState(stack.adminUrl, ROUTE), metric: after.breakerState };
    } catch (err) {
      problems.push(`reading the admin API failed: ${(err as Error).message}`);
    }
    problems.push(...stack.unexpectedExits());
    const log = stack.proxyLog;
    const observations: FaultObservations = {
      settings: { clients: o.clients, rate: o.rate, durationMs: o.durationMs, killAtMs: o.killAtMs, downMs: o.downMs, policy, pinning: describePinning(pinning, 'the drill') },
      stack: { proxyUrl: stack.proxyUrl, adminUrl: stack.adminUrl, legacyUrl: stack.legacyUrl, usersUrl: stack.usersUrl, tmpDir: stack.tmpDir },
      record: load.record,
      kill,
      restart,
      transitions: log.transitions.filter((t) => t.route === ROUTE),
      fallbackLines: log.fallbackLines,
      retryLines: log.retryLines,
      retries: after && subtract(after.retries, before.retries),
      fallbacks: after && subtract(after.fallbacks, before.fallbacks),
      finalBreaker,
      proxyErrorLines: log.errorLines,
      problems,
    };
    return { observations, verdict: judge(observations) };
  } finally {
    load?.destroy();
    await stack.stop();
  }
}

function lastEvent(stack: FaultStack, since: number): string | undefined {
  const ts = stack.proxyLog.transitions.filter((t) => t.route === ROUTE && t.at >= since - 5);
  return ts[ts.length - 1]?.event;
}

/** Every path answers as expected through the proxy, served by the users service, before the drill starts. */
async function checkPaths(proxyUrl: string): Promise<void> {
  for (const { path, expect } of FAULT_PATHS) {
    const res = await fetch(`${proxyUrl}${path}`, { signal: AbortSignal.timeout(3000) });
    await res.arrayBuffer();
    const ok = expect === undefined ? res.status >= 200 && res.status < 300 : res.status === expect;
    const by = res.headers.get('x-served-by');
    if (!ok || by !== 'users-service') throw new Error(`before the drill, GET ${path} through the proxy answered ${res.status} from ${by ?? 'nobody'} (expected ${expect ?? '2xx'} from users-service)`);
  }
}
