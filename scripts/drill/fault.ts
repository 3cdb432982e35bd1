// Scenario "fault": /users -> users with timeout, retry, breaker and fallback to the monolith; a
// steady GET load; the users service SIGKILLed at killAtMs and restarted downMs later on the same
// port. The bar: no client-visible error (a non-2xx other than the expected 404s, or no response
// at all), and the breaker, opened by the outage, closes again within halfOpenAfterMs + 1 s of the
// service's return (its listening line after the restart). With --workers N each worker has its
// own breaker: every one that opened must close within that bar (the slowest counts).
import { setTimeout as sleep } from 'node:timers/promises';
import { LOG } from '../../src/observability/log-messages.js';
import { epochMs, epochOf, int, secs, sleepUntil, topErrors, verdictOf } from './kit.js';
import { Load, type LoadPath, type LoadRecord } from './load.js';
import { routesYaml, type DrillOptions, type Verdict } from './runner.js';
import type { Stack } from './stack.js';

export const FAULT_DEFAULTS = { clients: 16, rate: 1600, durationMs: 12_000, killAtMs: 3000, downMs: 4000 } as const;
export interface FaultOptions extends DrillOptions {
  readonly killAtMs: number;
  readonly downMs: number;
}

/** The users API as the demo seeds it (users 1..3); /users/999 is a 404 on both sides. */
export const USERS_PATHS: readonly LoadPath[] = [
  { path: '/users' }, { path: '/users/1' }, { path: '/users/2/details' }, { path: '/users/2' },
  { path: '/users/3' }, { path: '/users/1/details' }, { path: '/users/999', expect: 404 }, { path: '/users/3/details' },
];
const ROUTE = '/users';
const POLICY = {
  timeoutMs: 1000,
  retry: { attempts: 2, backoffMs: 20, on: ['connect-error', 'reset', 'timeout', 502, 503, 504] },
  breaker: { consecutiveFailures: 5, halfOpenAfterMs: 2000 },
  fallback: 'legacy',
} as const;
const SIDE = { users: 0, fallback: 1, legacyBare: 2, unknown: 3, none: 4 } as const;

export const faultStack = (): { tmpPrefix: string; routesYaml: (u: { legacyUrl: string; usersUrl: string }) => string } => ({
  tmpPrefix: 'strangler-fault-drill-',
  routesYaml: (u) =>
    routesYaml('npm run drill (scripts/drill.ts): the users service is killed under load', u, [
      'upstream: users',
      `timeoutMs: ${POLICY.timeoutMs}`,
      `retry: { attempts: ${POLICY.retry.attempts}, backoffMs: ${POLICY.retry.backoffMs}, on: [${POLICY.retry.on.join(', ')}] }`,
      `breaker: { consecutiveFailures: ${POLICY.breaker.consecutiveFailures}, halfOpenAfterMs: ${POLICY.breaker.halfOpenAfterMs} }`,
      `fallback: ${POLICY.fallback}`,
    ]),
});

interface Transition {
  readonly event: 'opened' | 'half-open' | 'closed';
  readonly at: number;
  /** The process that logged it (one per worker with --workers). */
  readonly pid: unknown;
}
const EVENT = { [LOG.breakerOpened]: 'opened', [LOG.breakerHalfOpen]: 'half-open', [LOG.breakerClosed]: 'closed' } as const;

function transitions(stack: Stack): Transition[] {
  return stack.log.lines(LOG.breakerOpened, LOG.breakerHalfOpen, LOG.breakerClosed).filter((e) => e['route'] === ROUTE).map((e) => ({
    event: EVENT[e['msg'] as keyof typeof EVENT],
    at: epochOf(e['time']) ?? e.arrivedAt,
    pid: e['pid'],
  }));
}

/** Per process, its transitions since `since`; `closed`: the last one, when it is a close. */
function perProcess(stack: Stack, since: number): { opened?: Transition; closed?: Transition; last?: Transition }[] {
  const by = new Map<unknown, Transition[]>();
  for (const t of transitions(stack).filter((x) => x.at >= since)) by.set(t.pid, [...(by.get(t.pid) ?? []), t]);
  return [...by.values()].map((ts) => ({ opened: ts.find((t) => t.event === 'opened'), last: ts.at(-1), closed: ts.at(-1)?.event === 'closed' ? ts.at(-1) : undefined }));
}

export async function runFault(o: FaultOptions, stack: Stack): Promise<Verdict> {
  const problems: string[] = [];
  for (const { path, expect } of USERS_PATHS) {
    const res = await fetch(`${stack.proxyUrl}${path}`, { signal: AbortSignal.timeout(3000) });
    await res.arrayBuffer();
    const by = res.headers.get('x-served-by');
    if (!(expect === undefined ? res.ok : res.status === expect) || by !== 'users-service') throw new Error(`before the drill, GET ${path} through the proxy answered ${res.status} from ${by ?? 'nobody'} (expected ${expect ?? '2xx'} from users-service)`);
  }
  const load = new Load({
    origin: stack.proxyUrl, paths: USERS_PATHS, clients: o.clients, rate: o.rate, timeoutMs: 5000, none: SIDE.none,
    sideOf: (h) => ({ side: h['x-strangler-fallback'] === 'legacy' ? SIDE.fallback : h['x-served-by'] === 'users-service' ? SIDE.users : h['x-served-by'] === 'legacy-monolith' ? SIDE.legacyBare : SIDE.unknown }),
  }).start();
  try {
    const t0 = load.record.startedAt;
    o.say(`load started: ${o.clients} clients, ${o.rate} req/s`);
    await sleepUntil(t0 + o.killAtMs);
    const kill = await stack.killUsers();
    o.say(`users service SIGKILLed at +${((kill.at - t0) / 1000).toFixed(3)} s`);
    await sleepUntil(kill.at + o.downMs);
    let restart: Awaited<ReturnType<Stack['restartUsers']>> | undefined;
    try {
      restart = await stack.restartUsers();
      o.say(`users service back at +${((restart.backAt - t0) / 1000).toFixed(3)} s (pid ${restart.pid})`);
    } catch (err) {
      problems.push(`restarting the users service failed: ${(err as Error).message}`);
    }
    await sleepUntil(t0 + o.durationMs);
    // The breaker may need the load to close (its trial is a request): keep it going up to the bar.
    if (restart !== undefined) {
      const deadline = restart.backAt + POLICY.breaker.halfOpenAfterMs + 1500;
      const allClosed = (): boolean => { const p = perProcess(stack, kill.at - 5); return p.length > 0 && p.every((x) => x.closed); };
      while (epochMs() < deadline && !allClosed()) await sleep(50);
    }
    await load.stop();
    o.say(`load stopped: ${load.record.sentAt.length} requests`);
    await sleep(250); // the proxy writes its log in batches, at least every 100 ms
    let routes: string | undefined;
    // With workers, the primary's /routes shows its own breaker, which serves nothing: not a check.
    if (!o.workers || o.workers < 2) try {
      const route = await stack.admin.route(ROUTE);
      routes = route === undefined ? `no route ${ROUTE} in /routes` : (route.state?.breaker?.state ?? 'no breaker state in /routes');
    } catch (err) {
      problems.push(`reading the admin API failed: ${(err as Error).message}`);
    }
    problems.push(...stack.unexpectedExits());
    return report(o, stack, load.record, kill, restart, routes, problems);
  } finally {
    load.destroy();
  }
}

function report(
  o: FaultOptions, stack: Stack, r: LoadRecord, kill: { at: number; exit: string },
  restart: { backAt: number } | undefined,
  routes: string | undefined, problems: string[],
): Verdict {
  const procs = perProcess(stack, kill.at - 5);
  const opened = procs.find((p) => p.opened)?.opened;
  const open = procs.filter((p) => !p.closed);
  const closed = procs.length > 0 && open.length === 0 ? procs.map((p) => p.closed!).sort((a, b) => a.at - b.at).at(-1) : undefined;
  const sent = r.sentAt.length;
  const count = (pred: (i: number) => boolean): number => r.sentAt.reduce((n, _, i) => n + (pred(i) ? 1 : 0), 0);
  const errors = count((i) => r.failed[i]!);
  const barMs = POLICY.breaker.halfOpenAfterMs + 1000;
  const reasons: string[] = [];
  if (errors > 0) reasons.push(`${errors} client-visible error${errors === 1 ? '' : 's'} (the bar is 0)`);
  let recoveryMs: number | undefined;
  if (restart === undefined) reasons.push('the users service did not come back');
  else if (opened === undefined) reasons.push('the breaker never opened after the kill');
  else if (closed === undefined) reasons.push(`the breaker did not close again after the service's return (last seen: ${open.map((p) => p.last?.event ?? 'nothing').join(', ')})`);
  else if ((recoveryMs = closed.at - restart.backAt) > barMs) reasons.push(`the breaker closed ${secs(recoveryMs)} after the service's return (bar: ${secs(barMs)})`);
  if (routes !== undefined && routes !== 'closed') reasons.push(`/routes shows the breaker ${routes} at the end`);
  if (sent === 0) reasons.push('no request was sent');
  reasons.push(...problems);

  const out: string[] = ['fault drill: the users service is SIGKILLed under load, then restarted'];
  out.push(`  load      ${o.clients} keep-alive clients, target ${int(o.rate)} req/s, ${secs(o.durationMs)}; kill at +${secs(o.killAtMs)}, down ${secs(o.downMs)}`);
  out.push(`  pinning   ${o.pinning}`);
  if (o.workers && o.workers > 1) out.push(`  workers   ${o.workers} (--workers): a breaker per worker; ${procs.length} logged transitions after the kill, the slowest close counts`);
  const spanMs = r.stoppedAt - r.startedAt;
  const bySide = (s: number): number => count((i) => r.side[i] === s);
  out.push(`requests          ${int(sent)} sent in ${secs(spanMs)} (${int((sent * 1000) / Math.max(1, spanMs))} req/s)`);
  out.push(`  answered by     users-service ${int(bySide(SIDE.users))}, legacy as fallback ${int(bySide(SIDE.fallback))}` +
    (bySide(SIDE.legacyBare) ? `, legacy WITHOUT x-strangler-fallback ${int(bySide(SIDE.legacyBare))}` : '') + (bySide(SIDE.unknown) ? `, unknown side ${int(bySide(SIDE.unknown))}` : ''));
  out.push(`  expected 404s   ${int(count((i) => r.paths[r.path[i]!]!.expect === 404 && r.status[i] === 404))}`);
  out.push(`client errors     ${int(errors)} (unexpected status ${int(count((i) => r.failed[i]! && r.status[i] !== 0))}, no response ${int(count((i) => r.status[i] === 0))})`);
  out.push(...topErrors(r.errors, 10));
  out.push(`fallbacks         ${int(bySide(SIDE.fallback))} responses with x-strangler-fallback: legacy`);
  if (routes !== undefined) out.push(`breaker at end    /routes: ${routes}`);
  out.push('', `back -> breaker closed: ${recoveryMs === undefined ? 'not seen' : secs(recoveryMs)} (bar: <= halfOpenAfterMs ${POLICY.breaker.halfOpenAfterMs} + 1000 = ${secs(barMs)})`);
  return verdictOf(out, stack.log, reasons, () => `PASS: 0 client-visible errors in ${int(sent)} GETs; the breaker closed ${secs(recoveryMs!)} after the service's return (bar ${secs(barMs)})`);
}
