// The canary drill's schedule: start the users stand-in, bring the stack up with /users on the
// monolith and a 20 % sticky canary to the stand-in (which forwards to the real users service),
// check that both sides answer, start the load (varied x-user-id), flip the stand-in to answer
// 500 at flipAtMs, wait for the proxy's "canary halted" line, keep the load going for afterHaltMs
// more (at least until durationMs), read the metrics and the live table at each step, stop
// everything and judge.
import { setTimeout as sleep } from 'node:timers/promises';
import { planPinning } from '../bench/cpu.js';
import { readCanaryMetrics, readCanaryState, type CanaryMetrics, type CanaryRouteState } from './canary-admin.js';
import { CanaryLoad } from './canary-load.js';
import { CanaryLog, type HaltLine } from './canary-log.js';
import { judgeCanary, type CanaryObservations, type CanaryVerdict } from './canary-report.js';
import { CANARY_POLICY, canaryRoutesYaml, type CanaryPolicy } from './canary-routes.js';
import { STANDIN_HEADER, UsersStandin } from './canary-standin.js';
import { epochMs, sleepUntil } from './common-clock.js';
import { describePinning } from './common-pinning.js';
import { FAULT_PATHS } from './fault-run.js';
import { FaultStack } from './fault-stack.js';

export interface CanaryDrillOptions {
  readonly clients: number;
  readonly rate: number;
  /** Shortest length of the load. */
  readonly durationMs: number;
  /** When the stand-in starts answering 500, since the load started. */
  readonly flipAtMs: number;
  /** The load goes on at least this long after the halt line was read. */
  readonly afterHaltMs: number;
  /** Run the route with `fallback: legacy`. */
  readonly fallback: boolean;
  readonly pin: boolean;
  readonly say: (line: string) => void;
}

export const CANARY_DEFAULTS = { clients: 16, rate: 1000, durationMs: 9000, flipAtMs: 3000, afterHaltMs: 3000, users: 1000 } as const;

const ROUTE = '/users';
const REQUEST_ID_PREFIX = 'drill-canary-';

export async function runCanaryDrill(o: CanaryDrillOptions): Promise<{ observations: CanaryObservations; verdict: CanaryVerdict }> {
  const policy: CanaryPolicy = { ...CANARY_POLICY, fallback: o.fallback };
  const pinning = planPinning(o.pin);
  const log = new CanaryLog();
  const standin = new UsersStandin();
  const stack = new FaultStack({
    routesYaml: ({ legacyUrl, usersUrl }) => {
      standin.setTarget(usersUrl);
      return canaryRoutesYaml({ legacyUrl, usersUrl: standin.url, policy });
    },
    onProxyLine: (line, at) => log.add(line, at),
    tmpPrefix: 'strangler-canary-drill-',
    proxyCpu: pinning.proxyCpu,
    say: o.say,
  });
  const problems: string[] = [];
  const metrics: { start?: CanaryMetrics; flip?: CanaryMetrics; halt?: CanaryMetrics; end?: CanaryMetrics } = {};
  const state: { halt?: CanaryRouteState; end?: CanaryRouteState } = {};
  const admin = async <T>(what: string, read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (err) {
      problems.push(`reading ${what} from the admin API failed: ${(err as Error).message}`);
      return undefined;
    }
  };
  let load: CanaryLoad | undefined;
  try {
    await standin.listen();
    o.say(`starting the stack in ${stack.tmpDir}`);
    await stack.start();
    o.say(`legacy ${stack.legacyUrl}, users ${stack.usersUrl} behind the stand-in ${standin.url}, proxy ${stack.proxyUrl} (admin ${stack.adminUrl})`);
    await checkBothSides(stack.proxyUrl);
    metrics.start = await readCanaryMetrics(stack.adminUrl, ROUTE);

    load = new CanaryLoad({ origin: stack.proxyUrl, paths: FAULT_PATHS, clients: o.clients, rate: o.rate, users: CANARY_DEFAULTS.users, timeoutMs: 5000, requestIdPrefix: REQUEST_ID_PREFIX });
    load.start();
    const t0 = load.record.startedAt;
    o.say(`load started: ${o.clients} clients, ${o.rate} req/s, ${CANARY_DEFAULTS.users} x-user-id values`);

    await sleepUntil(t0 + o.flipAtMs);
    metrics.flip = await admin('the metrics at the flip', () => readCanaryMetrics(stack.adminUrl, ROUTE));
    const flipAt = standin.fail();
    o.say(`users stand-in answers 500 from +${((flipAt - t0) / 1000).toFixed(3)} s`);

    // The bar is windowMs after the flip; the log line may arrive up to ~100 ms after the halt.
    const { windowMs } = policy.halt;
    const halt: HaltLine | undefined = await log.waitForHalt(ROUTE, flipAt + windowMs + 1000 - epochMs());
    if (halt !== undefined) {
      metrics.halt = await admin('the metrics after the halt', () => readCanaryMetrics(stack.adminUrl, ROUTE));
      state.halt = await admin('/routes after the halt', () => readCanaryState(stack.adminUrl, ROUTE));
      o.say(`canary halted at +${((halt.at - t0) / 1000).toFixed(3)} s (flip+${Math.round(halt.at - flipAt)} ms): ${halt.reason}`);
      await sleepUntil(Math.max(t0 + o.durationMs, halt.arrivedAt + o.afterHaltMs));
    } else {
      o.say(`no "canary halted" line within ${windowMs + 1000} ms of the flip`);
      await sleepUntil(t0 + o.durationMs);
    }
    await load.stop();
    o.say(`load stopped: ${load.record.sentAt.length} requests`);
    await sleep(250); // the proxy writes its log in batches, at least every 100 ms

    metrics.end = await admin('the metrics at the end', () => readCanaryMetrics(stack.adminUrl, ROUTE));
    state.end = await admin('/routes at the end', () => readCanaryState(stack.adminUrl, ROUTE));
    problems.push(...stack.unexpectedExits(true));
    for (const [what, n] of standin.upstreamErrors) problems.push(`the stand-in could not reach the users service ${n} time(s): ${what}`);
    if (log.unreadable.length) problems.push(`${log.unreadable.length} "canary halted" line(s) could not be read, e.g. ${log.unreadable[0]}`);

    const observations: CanaryObservations = {
      settings: { clients: o.clients, rate: o.rate, durationMs: o.durationMs, flipAtMs: o.flipAtMs, afterHaltMs: o.afterHaltMs, users: CANARY_DEFAULTS.users, policy, pinning: describePinning(pinning, 'the drill (with the stand-in)') },
      stack: { proxyUrl: stack.proxyUrl, adminUrl: stack.adminUrl, legacyUrl: stack.legacyUrl, usersUrl: stack.usersUrl, standinUrl: standin.url },
      record: load.record,
      flipAt,
      halt,
      haltLines: log.halts.filter((h) => h.route === ROUTE).length,
      metrics,
      state,
      arrivals: standin.arrivals,
      proxyErrorLines: log.errorLines,
      problems,
    };
    return { observations, verdict: judgeCanary(observations) };
  } finally {
    load?.destroy();
    await stack.stop();
    await standin.close();
  }
}

/** Before the drill: through the proxy, some x-user-id values land on the monolith and some on the canary, and both answer 200. */
async function checkBothSides(proxyUrl: string): Promise<void> {
  const seen = { primary: 0, canary: 0 };
  for (let i = 0; i < 100 && (seen.primary === 0 || seen.canary === 0); i++) {
    const res = await fetch(`${proxyUrl}/users/1`, { headers: { 'x-user-id': `check-${i}`, 'x-request-id': `drill-check-${i}` }, signal: AbortSignal.timeout(3000) });
    await res.arrayBuffer();
    const standin = res.headers.get(STANDIN_HEADER);
    const by = res.headers.get('x-served-by');
    if (res.status !== 200) throw new Error(`before the drill, GET /users/1 (x-user-id check-${i}) through the proxy answered ${res.status} from ${by ?? 'nobody'}${standin ? ` (stand-in: ${standin})` : ''}`);
    if (standin === 'proxied' && by === 'users-service') seen.canary++;
    else if (standin === null && by === 'legacy-monolith') seen.primary++;
    else throw new Error(`before the drill, GET /users/1 (x-user-id check-${i}) was answered by ${by ?? 'nobody'} (stand-in: ${standin ?? 'no'})`);
  }
  if (seen.primary === 0 || seen.canary === 0) throw new Error(`before the drill, 100 x-user-id values all went to one side (primary ${seen.primary}, canary ${seen.canary})`);
}
