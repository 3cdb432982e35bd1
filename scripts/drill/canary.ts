// Scenario "canary": /users on the monolith with a sticky 20 % canary (x-user-id) to "users", a
// stand-in in the drill process in front of the real users service, which starts answering 500
// at flipAtMs. A request counts as "after the halt" when sent at or after the halt line's "at"
// + 1 ms (the halt happened in [at, at + 1)): the proxy chose its side later still.
// The bar: the canary halts after the flip and within halt.windowMs of it; no request sent after
// the halt reached the canary (client side, the stand-in's arrivals by X-Request-Id, and
// strangler_canary_requests_total{side="canary"}); /routes and strangler_canary_halted show the
// halt; the monolith answers every request as expected; the setup held (the canary answered well
// before the flip, the stand-in always reached the users service, no child died); with the
// fallback, no injected 500 reached a client.
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { LOG } from '../../src/observability/log-messages.js';
import { USERS_PATHS } from './fault.js';
import { countInto } from '../lib/stats.js';
import { epochMs, epochOf, int, metricBy, secs, sleepUntil, text, topErrors, verdictOf, type LogEntry, type RouteShown } from './kit.js';
import { Load } from './load.js';
import { routesYaml, type DrillOptions, type Verdict } from './runner.js';
import type { Stack } from './stack.js';

export const CANARY_DEFAULTS = { clients: 16, rate: 1000, durationMs: 9000, flipAtMs: 3000, afterHaltMs: 3000, users: 1000 } as const;
export interface CanaryOptions extends DrillOptions {
  readonly flipAtMs: number;
  /** The load goes on at least this long after the halt line was read. */
  readonly afterHaltMs: number;
  /** Run the route with `fallback: legacy`. */
  readonly fallback: boolean;
}
const ROUTE = '/users';
const RID = 'drill-canary-';
const HALT = { maxErrorRate: 0.05, minRequests: 50, windowMs: 10_000 };
const STANDIN = 'x-drill-standin';
const SIDES = ['primary (legacy)', 'canary (users via stand-in)', 'canary injected 500', 'legacy as fallback', 'stand-in upstream error', 'unknown side', 'no response'] as const;
const [PRIMARY, CANARY, INJECTED, FALLBACK, STANDIN_ERROR, UNKNOWN, NONE] = [0, 1, 2, 3, 4, 5, 6];
const VIA_CANARY = new Set([CANARY, INJECTED, FALLBACK, STANDIN_ERROR]);

/** The canary's "users": forwards to the real users service until fail(), then answers 500 itself.
 *  Every answer says which (header x-drill-standin); every arrival is kept with its X-Request-Id. */
class Standin {
  readonly arrivals: { at: number; requestId: string | null; answer: string }[] = [];
  readonly upstreamErrors = new Map<string, number>();
  failingSince: number | undefined;
  #pool: Pool | undefined;
  readonly #server = createServer({ keepAliveTimeout: 10_000 }, (req, res) => void this.#handle(req, res));
  url = '';

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.#server.once('error', reject).listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }
  setTarget(url: string): void {
    this.#pool = new Pool(url, { connections: 64, pipelining: 1, keepAliveTimeout: 10_000 });
  }
  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
    await this.#pool?.close().catch(() => undefined);
  }
  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = epochMs();
    const requestId = typeof req.headers['x-request-id'] === 'string' ? req.headers['x-request-id'] : null;
    const answer = (status: number, kind: string, body: object): void => {
      this.arrivals.push({ at, requestId, answer: kind });
      res.writeHead(status, { 'content-type': 'application/json', [STANDIN]: kind }).end(JSON.stringify(body));
    };
    if (this.failingSince !== undefined || this.#pool === undefined) {
      req.resume();
      return answer(500, 'injected-500', { error: 'injected', message: 'the canary drill flipped the users stand-in to answer 500', requestId });
    }
    const hop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host']);
    const pick = (h: Record<string, string | string[] | undefined>): OutgoingHttpHeaders => Object.fromEntries(Object.entries(h).filter(([k, v]) => v !== undefined && !hop.has(k)));
    try {
      const up = await this.#pool.request({ path: req.url ?? '/', method: 'GET', headers: pick(req.headers) as Record<string, string>, headersTimeout: 5000, bodyTimeout: 5000 });
      this.arrivals.push({ at, requestId, answer: 'proxied' });
      res.writeHead(up.statusCode, { ...pick(up.headers), [STANDIN]: 'proxied' });
      await pipeline(up.body, res);
    } catch (err) {
      const what = `${(err as { code?: string }).code ?? (err as Error).message}`;
      countInto(this.upstreamErrors, what);
      if (res.headersSent) res.destroy();
      else answer(502, 'upstream-error', { error: 'standin_upstream_error', message: what });
    }
  }
}

export function canaryStack(o: CanaryOptions, standin: Standin): { tmpPrefix: string; routesYaml: (u: { legacyUrl: string; usersUrl: string }) => string } {
  return {
    tmpPrefix: 'strangler-canary-drill-',
    routesYaml: (u) => {
      standin.setTarget(u.usersUrl);
      return routesYaml('npm run drill -- --scenario canary (scripts/drill.ts): the canary starts answering 500', { ...u, usersUrl: standin.url }, [
        'upstream: legacy',
        `canary: { upstream: users, percent: 20, stickyOn: "header:x-user-id", halt: { maxErrorRate: ${HALT.maxErrorRate}, minRequests: ${HALT.minRequests}, windowMs: ${HALT.windowMs} } }`,
        ...(o.fallback ? ['fallback: legacy'] : []),
      ]);
    },
  };
}
export const newStandin = async (): Promise<Standin> => {
  const s = new Standin();
  await s.listen();
  return s;
};

type Counts = { at: number; primary: number; canary: number; halted: number | undefined };
async function counts(stack: Stack): Promise<Counts> {
  const m = await stack.admin.metrics();
  const side = (s: string): number => metricBy(m, 'strangler_canary_requests_total', { route: ROUTE, side: s }).get('')!;
  return { at: epochMs(), primary: side('primary'), canary: side('canary'), halted: m.find((s) => s.name === 'strangler_canary_halted' && s.labels['route'] === ROUTE)?.value };
}

export async function runCanary(o: CanaryOptions & { pinning: string }, stack: Stack, standin: Standin): Promise<Verdict> {
  const problems: string[] = [];
  const read = async <T>(what: string, f: () => Promise<T>): Promise<T | undefined> => f().catch((err: Error) => void problems.push(`reading ${what} from the admin API failed: ${err.message}`));
  const state = async (): Promise<NonNullable<RouteShown['state']>['canary']> => (await stack.admin.route(ROUTE))?.state?.canary;
  // Before the drill: some x-user-id values land on the monolith, some on the canary, both answer 200.
  const seen = [0, 0];
  for (let i = 0; i < 100 && (seen[0] === 0 || seen[1] === 0); i++) {
    const res = await fetch(`${stack.proxyUrl}/users/1`, { headers: { 'x-user-id': `check-${i}`, 'x-request-id': `drill-check-${i}` }, signal: AbortSignal.timeout(3000) });
    await res.arrayBuffer();
    const [s, by] = [res.headers.get(STANDIN), res.headers.get('x-served-by')];
    if (res.status !== 200 || (s === 'proxied') !== (by === 'users-service') || (s !== null && s !== 'proxied')) throw new Error(`before the drill, GET /users/1 (x-user-id check-${i}) through the proxy answered ${res.status} from ${by ?? 'nobody'} (stand-in: ${s ?? 'no'})`);
    seen[s === 'proxied' ? 1 : 0]!++;
  }
  if (seen[0] === 0 || seen[1] === 0) throw new Error(`before the drill, 100 x-user-id values all went to one side (primary ${seen[0]}, canary ${seen[1]})`);
  const m: { start?: Counts; halt?: Counts; end?: Counts } = { start: await counts(stack) };
  const users = CANARY_DEFAULTS.users;
  const load = new Load({
    origin: stack.proxyUrl, paths: USERS_PATHS, clients: o.clients, rate: o.rate, timeoutMs: 5000, none: NONE, describe: (s) => SIDES[s]!,
    headers: (seq) => ({ 'x-user-id': `u${String(seq % users).padStart(4, '0')}`, 'x-request-id': `${RID}${seq}` }),
    sideOf: (h) => {
      const s = h[STANDIN];
      return { side: h['x-strangler-fallback'] === 'legacy' ? FALLBACK : s === 'proxied' ? CANARY : s === 'injected-500' ? INJECTED : s === 'upstream-error' ? STANDIN_ERROR : h['x-served-by'] === 'legacy-monolith' ? PRIMARY : UNKNOWN };
    },
  }).start();
  let halt: LogEntry | undefined;
  let flipAt = 0;
  const st: { end?: Awaited<ReturnType<typeof state>> } = {};
  try {
    const t0 = load.record.startedAt;
    o.say(`load started: ${o.clients} clients, ${o.rate} req/s, ${users} x-user-id values`);
    await sleepUntil(t0 + o.flipAtMs);
    flipAt = standin.failingSince = epochMs();
    o.say(`users stand-in answers 500 from +${((flipAt - t0) / 1000).toFixed(3)} s`);
    // The bar is windowMs after the flip; the log line may arrive up to ~100 ms after the halt.
    halt = await stack.log.waitFor((e) => e['msg'] === LOG.canaryHalted && e['route'] === ROUTE, flipAt + HALT.windowMs + 1000 - epochMs());
    if (halt !== undefined) {
      m.halt = await read('the metrics after the halt', () => counts(stack));
      o.say(`canary halted (flip+${Math.round((epochOf(halt['at']) ?? 0) - flipAt)} ms): ${text(halt, 'reason')}`);
      await sleepUntil(Math.max(t0 + o.durationMs, halt.arrivedAt + o.afterHaltMs));
    } else {
      o.say(`no "${LOG.canaryHalted}" line within ${HALT.windowMs + 1000} ms of the flip`);
      await sleepUntil(t0 + o.durationMs);
    }
    await load.stop();
    await sleep(250); // the proxy writes its log in batches, at least every 100 ms
    m.end = await read('the metrics at the end', () => counts(stack));
    st.end = await read('/routes at the end', state);
  } finally {
    load.destroy();
  }
  problems.push(...stack.unexpectedExits(true));
  for (const [what, n] of standin.upstreamErrors) problems.push(`the stand-in could not reach the users service ${n} time(s): ${what}`);

  // --- judge ---------------------------------------------------------------------------------
  const r = load.record;
  const n = r.sentAt.length;
  const haltAt = halt === undefined ? undefined : (epochOf(halt['at']) ?? epochOf(halt['time']));
  if (halt !== undefined && haltAt === undefined) problems.push(`a "${LOG.canaryHalted}" line could not be read: ${halt.raw}`);
  const H = haltAt === undefined ? Infinity : haltAt + 1;
  const phase = (at: number): number => (at < flipAt ? 0 : at < H ? 1 : 2);
  const table = SIDES.map(() => [0, 0, 0]);
  let [canaryAfterHalt, canaryFailures, legacyErrors, canaryBadBeforeFlip, unexplained, standinAfterHalt, standinInFlight, injectedAtStandin] = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    const [side, ph] = [r.side[i]!, phase(r.sentAt[i]!)];
    table[side]![ph]!++;
    if (ph === 2 && VIA_CANARY.has(side)) canaryAfterHalt++;
    if ((side === INJECTED || side === FALLBACK) && ph < 2) canaryFailures++;
    if ((side === PRIMARY || side === FALLBACK) && r.failed[i]) legacyErrors++;
    if (side === CANARY && ph === 0 && r.failed[i]) canaryBadBeforeFlip++;
    if (side === NONE || side === UNKNOWN) unexplained++;
  }
  for (const a of standin.arrivals) {
    if (a.answer === 'injected-500') injectedAtStandin++;
    const seq = a.requestId?.startsWith(RID) ? Number(a.requestId.slice(RID.length)) : undefined;
    const sent = (seq === undefined ? undefined : r.sentAt[seq]) ?? a.at; // an arrival the load did not send counts by its own time
    if (sent >= H) standinAfterHalt++;
    else if (a.at >= H) standinInFlight++;
  }
  const reasons: string[] = [];
  const haltAfterFlipMs = haltAt === undefined ? undefined : haltAt - flipAt;
  if (haltAfterFlipMs === undefined) reasons.push(`the canary did not halt within ${secs(HALT.windowMs)} (+1 s) of the flip`);
  else if (haltAfterFlipMs < -1) reasons.push(`the canary halted ${secs(-haltAfterFlipMs)} before the flip (${text(halt!, 'reason')})`); // "at" is whole ms
  else if (haltAfterFlipMs > HALT.windowMs) reasons.push(`the canary halted ${secs(haltAfterFlipMs)} after the flip (bar: windowMs ${secs(HALT.windowMs)})`);
  const haltLines = stack.log.lines(LOG.canaryHalted).filter((e) => e['route'] === ROUTE).length;
  if (haltLines > 1) reasons.push(`${haltLines} "${LOG.canaryHalted}" lines for the route (1 expected)`);
  if (canaryAfterHalt > 0) reasons.push(`${canaryAfterHalt} request(s) sent after the halt went through the canary (client side)`);
  if (standinAfterHalt > 0) reasons.push(`${standinAfterHalt} request(s) sent after the halt arrived at the stand-in (server side)`);
  const metricAfterHalt = m.halt && m.end ? m.end.canary - m.halt.canary : undefined;
  if (halt !== undefined) {
    if (metricAfterHalt === undefined) reasons.push('strangler_canary_requests_total after the halt: not read');
    else if (metricAfterHalt !== 0) reasons.push(`strangler_canary_requests_total{side="canary"} grew by ${metricAfterHalt} after the halt`);
    if (m.end !== undefined && m.end.halted !== 1) reasons.push(`strangler_canary_halted is ${m.end.halted ?? 'absent'} at the end (1 expected)`);
    if (st.end !== undefined && !st.end?.halted) reasons.push('/routes shows state.canary.halted null at the end');
  }
  if (legacyErrors > 0) reasons.push(`${legacyErrors} answer(s) from the monolith with an unexpected status (the bar is 0)`);
  if (unexplained > 0) reasons.push(`${unexplained} request(s) with no response, or answered by an unknown side`);
  if (table[CANARY]![0] === 0) reasons.push('no request went to the canary before the flip');
  if (canaryBadBeforeFlip > 0) reasons.push(`${canaryBadBeforeFlip} canary answer(s) with an unexpected status before the flip`);
  const injectedSeen = table[INJECTED]!.reduce((x, y) => x + y, 0);
  if (o.fallback && injectedSeen > 0) reasons.push(`${injectedSeen} injected 500(s) reached clients despite fallback: legacy`);
  if (n === 0) reasons.push('no request was sent');
  reasons.push(...problems);

  // --- the summary ---------------------------------------------------------------------------
  const out = ['canary drill: the canary of /users starts answering 500 under load; the halt must stop it'];
  out.push(`  load      ${o.clients} keep-alive clients, target ${int(o.rate)} req/s, x-user-id from ${int(users)} values; flip at +${secs(o.flipAtMs)}; ${o.fallback ? 'fallback: legacy' : 'no fallback'}`);
  out.push(`  pinning   ${o.pinning}`, '');
  if (haltAt !== undefined) {
    out.push(`halt              ${secs(haltAt - flipAt)} after the flip (bar: <= windowMs ${secs(HALT.windowMs)}); reason ${text(halt!, 'reason')}`);
    out.push(`  /routes         state.canary.halted ${st.end?.halted ? 'set' : 'null'} at the end; metric strangler_canary_halted ${m.end?.halted ?? 'absent'} at the end`);
  } else out.push('(no "canary halted" line in the proxy log)');
  out.push(`requests sent     ${int(n)} in ${secs(r.stoppedAt - r.startedAt)}; strangler_canary_requests_total{side="canary"} ${metricAfterHalt === undefined ? 'not read' : `+${int(metricAfterHalt)}`} from the halt line's reading to the end`);
  out.push(`canary failures   ${int(canaryFailures)} seen by clients before the halt; ${int(injectedAtStandin)} answered 500 at the stand-in`);
  out.push(...topErrors(r.errors, 8));
  out.push(`after the halt    ${int(canaryAfterHalt)} requests through the canary (client side); ${int(standinAfterHalt)} arrived at the stand-in (by X-Request-Id), ${int(standinInFlight)} sent before the halt arrived after it (in flight)`);
  out.push(`primary traffic   ${int(legacyErrors)} answer(s) from legacy with an unexpected status, ${int(unexplained)} with no response or from an unknown side`);
  return verdictOf(out, stack.log, reasons, () => `PASS: the canary halted ${secs(haltAfterFlipMs!)} after the flip (bar ${secs(HALT.windowMs)}) after ${int(canaryFailures)} failed canary request(s); ` +
    `0 canary requests after the halt (client side, stand-in, metric); 0 errors from legacy in ${int(n)} GETs`);
}
