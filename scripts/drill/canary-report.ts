// Turns what the canary drill saw into the summary and the verdict. Pure: no I/O, no clock.
//
// Time line: the flip (the stand-in answers 500 from then on) and the halt (the "at" of the
// proxy's "canary halted" line, whole ms: the halt happened in [at, at + 1)). A request counts as
// "after the halt" when the client sent it at or after at + 1 ms: the proxy chose its side later
// still, so it must have gone to the primary. Requests sent between the flip and that point were
// routed before the halt, even when their answers (or their arrival at the stand-in) came after.
//
// The bar:
//   - the canary halts, after the flip and within halt.windowMs of it;
//   - no request sent after the halt reached the canary: none answered through the stand-in or by
//     the fallback (client side), none of their X-Request-Ids arrived at the stand-in (server
//     side), and strangler_canary_requests_total{side="canary"} did not move after the halt;
//     /routes shows the halt and strangler_canary_halted is 1;
//   - the primary is unaffected: every answer from the monolith has its expected status, and no
//     request went unanswered or was answered by an unknown side;
//   - the setup held: the canary took traffic and answered well before the flip, the stand-in
//     always reached the users service, no child died, the admin API answered; with the
//     fallback, no injected 500 reached a client.
import type { CanaryMetrics, CanaryRouteState } from './canary-admin.js';
import { CSIDE, type CanaryRecord, type CSide } from './canary-load.js';
import type { HaltLine } from './canary-log.js';
import { describeCanaryPolicy, fallbackChoice, type CanaryPolicy } from './canary-routes.js';
import type { Arrival } from './canary-standin.js';
import { int, secs, signed } from './common-format.js';
import { latencyRow, renderLatencyTable, type LatencyRow } from './common-latency.js';
import { describePaths, proxyErrorLinesSection } from './common-summary.js';

export interface CanaryObservations {
  readonly settings: {
    readonly clients: number;
    readonly rate: number;
    readonly durationMs: number;
    readonly flipAtMs: number;
    readonly afterHaltMs: number;
    readonly users: number;
    readonly policy: CanaryPolicy;
    readonly pinning: string;
  };
  readonly stack: { readonly proxyUrl: string; readonly adminUrl: string; readonly legacyUrl: string; readonly usersUrl: string; readonly standinUrl: string };
  readonly record: CanaryRecord;
  /** Epoch ms when the stand-in started answering 500. */
  readonly flipAt: number;
  /** The route's first "canary halted" line. */
  readonly halt: HaltLine | undefined;
  /** How many "canary halted" lines the route had (1 expected). */
  readonly haltLines: number;
  /** strangler_canary_* read before the load, just before the flip, once the halt line was read, after the load. */
  readonly metrics: { readonly start?: CanaryMetrics; readonly flip?: CanaryMetrics; readonly halt?: CanaryMetrics; readonly end?: CanaryMetrics };
  readonly state: { readonly halt?: CanaryRouteState; readonly end?: CanaryRouteState };
  /** Every request that reached the stand-in. */
  readonly arrivals: readonly Arrival[];
  readonly proxyErrorLines: readonly string[];
  readonly problems: readonly string[];
}

export interface CanaryVerdict {
  readonly pass: boolean;
  readonly reasons: readonly string[];
  /** halt.at - flipAt; undefined without a halt. */
  readonly haltAfterFlipMs: number | undefined;
  readonly haltBarMs: number;
  /** Client side: requests sent after the halt that went through the canary (stand-in or fallback). */
  readonly canaryAfterHalt: number;
  /** Server side: requests sent after the halt whose X-Request-Id arrived at the stand-in. */
  readonly standinAfterHalt: number;
  /** strangler_canary_requests_total{side="canary"} from the halt line's reading to the end. */
  readonly canaryMetricAfterHalt: number | undefined;
  /** Client-observed canary failures (injected 500s, or fallbacks) of requests sent before the halt. */
  readonly canaryFailures: number;
  /** Answers from the monolith (as primary or fallback) with an unexpected status. */
  readonly legacyErrors: number;
}

const CANARY_SIDES: ReadonlySet<CSide> = new Set([CSIDE.canary, CSIDE.canaryFailed, CSIDE.fallback, CSIDE.standinError]);

/** Epoch ms from which a request is "sent after the halt". */
function afterHaltFrom(o: CanaryObservations): number {
  return o.halt === undefined ? Infinity : o.halt.at + 1;
}

interface Analysis {
  readonly n: number;
  readonly bySideAndPhase: number[][]; // [side][phase 0 before flip, 1 flip->halt, 2 after halt]
  readonly canaryAfterHalt: number;
  readonly standinAfterHalt: number;
  readonly standinInFlight: number;
  readonly lastStandinArrival: number | undefined;
  readonly firstInjected: number | undefined;
  readonly injectedAtStandin: number;
  readonly canaryFailures: number;
  readonly canaryFailuresAnsweredAfterHalt: number;
  readonly legacyErrors: number;
  readonly canaryBadBeforeFlip: number;
  readonly unexplained: number;
  readonly idsOnCanary: number;
  readonly idsOnBothSides: number;
  readonly idsOnCanaryAfterHalt: number;
}

function analyse(o: CanaryObservations): Analysis {
  const r = o.record;
  const n = r.sentAt.length;
  const H = afterHaltFrom(o);
  const phase = (at: number): number => (at < o.flipAt ? 0 : at < H ? 1 : 2);
  const bySideAndPhase = Array.from({ length: 7 }, () => [0, 0, 0]);
  let canaryAfterHalt = 0;
  let canaryFailures = 0;
  let canaryFailuresAnsweredAfterHalt = 0;
  let legacyErrors = 0;
  let canaryBadBeforeFlip = 0;
  let unexplained = 0;
  const sentAtBySeq = new Map<number, number>();
  const sideOfUser = new Map<number, number>(); // bit 1 primary, bit 2 canary, before the halt
  const canaryUsersAfterHalt = new Set<number>();
  for (let i = 0; i < n; i++) {
    const at = r.sentAt[i]!;
    const side = r.side[i]!;
    const ph = phase(at);
    sentAtBySeq.set(r.seq[i]!, at);
    bySideAndPhase[side]![ph]!++;
    const viaCanary = CANARY_SIDES.has(side);
    if (ph === 2 && viaCanary) canaryAfterHalt++;
    if ((side === CSIDE.canaryFailed || side === CSIDE.fallback) && ph < 2) {
      canaryFailures++;
      if (at + r.latencyMs[i]! >= H) canaryFailuresAnsweredAfterHalt++;
    }
    if ((side === CSIDE.primary || side === CSIDE.fallback) && r.bad[i]) legacyErrors++;
    if (side === CSIDE.canary && r.bad[i] && ph === 0) canaryBadBeforeFlip++;
    if (side === CSIDE.unknown || side === CSIDE.none || side === CSIDE.standinError) unexplained++;
    if (ph < 2 && (side === CSIDE.primary || viaCanary)) {
      const bit = side === CSIDE.primary ? 1 : 2;
      sideOfUser.set(r.user[i]!, (sideOfUser.get(r.user[i]!) ?? 0) | bit);
    }
    if (ph === 2 && viaCanary) canaryUsersAfterHalt.add(r.user[i]!);
  }
  let standinAfterHalt = 0;
  let standinInFlight = 0;
  let lastStandinArrival: number | undefined;
  let firstInjected: number | undefined;
  let injectedAtStandin = 0;
  for (const a of o.arrivals) {
    if (lastStandinArrival === undefined || a.at > lastStandinArrival) lastStandinArrival = a.at;
    if (a.answer === 'injected-500') {
      injectedAtStandin++;
      if (firstInjected === undefined || a.at < firstInjected) firstInjected = a.at;
    }
    const seq = a.requestId?.startsWith(r.requestIdPrefix) ? Number(a.requestId.slice(r.requestIdPrefix.length)) : undefined;
    const sentAt = seq === undefined ? undefined : sentAtBySeq.get(seq);
    // An arrival the load did not send (or cannot place) counts by its own arrival time.
    const sent = sentAt ?? a.at;
    if (sent >= H) standinAfterHalt++;
    else if (a.at >= H) standinInFlight++;
  }
  let idsOnCanary = 0;
  let idsOnBothSides = 0;
  for (const bits of sideOfUser.values()) {
    if (bits & 2) idsOnCanary++;
    if (bits === 3) idsOnBothSides++;
  }
  return {
    n, bySideAndPhase, canaryAfterHalt, standinAfterHalt, standinInFlight, lastStandinArrival, firstInjected, injectedAtStandin,
    canaryFailures, canaryFailuresAnsweredAfterHalt, legacyErrors, canaryBadBeforeFlip, unexplained, idsOnCanary, idsOnBothSides,
    idsOnCanaryAfterHalt: canaryUsersAfterHalt.size,
  };
}

export function judgeCanary(o: CanaryObservations): CanaryVerdict {
  const a = analyse(o);
  const reasons: string[] = [];
  const barMs = o.settings.policy.halt.windowMs;
  const { halt, metrics: m } = o;
  let haltAfterFlipMs: number | undefined;
  if (halt === undefined) reasons.push(`the canary did not halt within ${secs(barMs)} (+1 s) of the flip`);
  else {
    haltAfterFlipMs = halt.at - o.flipAt;
    // "at" is whole ms: a halt in the flip's own ms shows as up to 1 ms before it.
    if (haltAfterFlipMs < -1) reasons.push(`the canary halted ${secs(-haltAfterFlipMs)} before the flip (${halt.reason})`);
    else if (haltAfterFlipMs > barMs) reasons.push(`the canary halted ${secs(haltAfterFlipMs)} after the flip (bar: windowMs ${secs(barMs)})`);
  }
  if (o.haltLines > 1) reasons.push(`${o.haltLines} "canary halted" lines for the route (1 expected)`);
  if (a.canaryAfterHalt > 0) reasons.push(`${a.canaryAfterHalt} request(s) sent after the halt went through the canary (client side)`);
  if (a.standinAfterHalt > 0) reasons.push(`${a.standinAfterHalt} request(s) sent after the halt arrived at the stand-in (server side)`);
  const canaryMetricAfterHalt = m.halt && m.end ? m.end.canary - m.halt.canary : undefined;
  if (halt !== undefined) {
    if (canaryMetricAfterHalt === undefined) reasons.push('strangler_canary_requests_total after the halt: not read');
    else if (canaryMetricAfterHalt !== 0) reasons.push(`strangler_canary_requests_total{side="canary"} grew by ${canaryMetricAfterHalt} after the halt`);
    if (m.end !== undefined && m.end.halted !== 1) reasons.push(`strangler_canary_halted is ${m.end.halted ?? 'absent'} at the end (1 expected)`);
    if (o.state.end !== undefined && o.state.end.halted === null) reasons.push('/routes shows state.canary.halted null at the end');
  }
  if (a.legacyErrors > 0) reasons.push(`${a.legacyErrors} answer(s) from the monolith with an unexpected status (the bar is 0)`);
  if (a.unexplained > 0) reasons.push(`${a.unexplained} request(s) with no response, or answered by an unknown side`);
  const canaryBeforeFlip = a.bySideAndPhase[CSIDE.canary]![0]!;
  if (canaryBeforeFlip === 0) reasons.push('no request went to the canary before the flip');
  if (a.canaryBadBeforeFlip > 0) reasons.push(`${a.canaryBadBeforeFlip} canary answer(s) with an unexpected status before the flip`);
  const injectedSeen = a.bySideAndPhase[CSIDE.canaryFailed]!.reduce((x, y) => x + y, 0);
  if (o.settings.policy.fallback && injectedSeen > 0) reasons.push(`${injectedSeen} injected 500(s) reached clients despite fallback: legacy`);
  if (a.n === 0) reasons.push('no request was sent');
  reasons.push(...o.problems);
  return {
    pass: reasons.length === 0,
    reasons,
    haltAfterFlipMs,
    haltBarMs: barMs,
    canaryAfterHalt: a.canaryAfterHalt,
    standinAfterHalt: a.standinAfterHalt,
    canaryMetricAfterHalt,
    canaryFailures: a.canaryFailures,
    legacyErrors: a.legacyErrors,
  };
}

function pct(part: number, whole: number): string {
  return whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)} %`;
}

export function renderCanarySummary(o: CanaryObservations, v: CanaryVerdict): string {
  const a = analyse(o);
  const r = o.record;
  const s = o.settings;
  const p = s.policy;
  const out: string[] = [];
  const t0 = r.startedAt;
  const H = afterHaltFrom(o);
  const spanMs = r.stoppedAt - r.startedAt;

  out.push('canary drill: the canary of /users starts answering 500 under load; the halt must stop it');
  out.push(`  load      ${s.clients} keep-alive clients, target ${int(s.rate)} req/s, x-user-id from ${int(s.users)} values; flip at +${secs(s.flipAtMs)}; ` +
    `load for ${secs(s.durationMs)} and at least ${secs(s.afterHaltMs)} after the halt`);
  out.push(`  route     /users: ${describeCanaryPolicy(p)}`);
  out.push(`  fallback  ${fallbackChoice(p)}`);
  out.push(`  canary    "users" is the drill's stand-in ${o.stack.standinUrl}: it forwards to the real users service ${o.stack.usersUrl}, ` +
    'and from the flip on answers every request 500 itself (header x-drill-standin on every answer)');
  out.push(`  stack     proxy ${o.stack.proxyUrl} (admin ${o.stack.adminUrl}), legacy ${o.stack.legacyUrl}`);
  out.push(`  pinning   ${s.pinning}`);
  out.push(`  paths     ${describePaths(r.paths)}`);
  out.push('');

  out.push('timeline (t = since the load started; flip+ = since the stand-in started answering 500)');
  const events: { at: number; what: string }[] = [{ at: o.flipAt, what: 'the stand-in answers 500 from now on (the flip)' }];
  if (a.firstInjected !== undefined) events.push({ at: a.firstInjected, what: 'first request answered 500 by the stand-in' });
  if (o.halt) {
    events.push({ at: o.halt.at, what: `canary halted  [${o.halt.requestId ?? '-'}]` });
    events.push({ at: o.halt.arrivedAt, what: `the drill read the "canary halted" line (the proxy logs in batches)` });
  }
  if (a.lastStandinArrival !== undefined && o.halt) events.push({ at: a.lastStandinArrival, what: 'last request to arrive at the stand-in' });
  events.push({ at: r.stoppedAt, what: 'load stopped' });
  events.sort((x, y) => x.at - y.at);
  for (const e of events) out.push(`  ${`t=${((e.at - t0) / 1000).toFixed(3)} s`.padEnd(12)} ${`flip${signed(e.at - o.flipAt)}`.padEnd(15)} ${e.what}`);
  if (!o.halt) out.push('  (no "canary halted" line in the proxy log)');
  out.push('');

  if (o.halt) {
    out.push(`halt              ${secs(o.halt.at - o.flipAt)} after the flip (bar: <= windowMs ${secs(v.haltBarMs)}); route ${o.halt.route}, canary ${o.halt.canary}, primary ${o.halt.primary}`);
    out.push(`  reason          ${o.halt.reason}`);
    out.push(`  the line        ${o.halt.raw.length > 400 ? o.halt.raw.slice(0, 400) + '...' : o.halt.raw}`);
    const sh = o.state.halt?.halted;
    const se = o.state.end?.halted;
    out.push(`  /routes         state.canary.halted ${se ? `{ at ${se.at}, reason "${se.reason}" }` : sh === undefined && se === undefined ? 'unavailable' : 'null'} at the end` +
      (o.state.halt?.window ? `; window when the line was read: ${int(o.state.halt.window.errors ?? 0)} errors in ${int(o.state.halt.window.requests ?? 0)} requests` : ''));
    out.push(`  metric          strangler_canary_halted ${o.metrics.flip?.halted ?? 'absent'} before the flip, ${o.metrics.halt?.halted ?? 'absent'} after the halt, ${o.metrics.end?.halted ?? 'absent'} at the end`);
    out.push('');
  }

  const phases = ['before the flip', o.halt ? 'flip -> halt' : 'flip -> end', 'after the halt'];
  const col = (x: string): string => x.padStart(16);
  out.push(`requests by side (client side, by response header; phases by when the client sent the request; "after the halt" = from the halt's ms + 1)`);
  out.push(`  ${''.padEnd(30)}${phases.map(col).join('')}${col('total')}`);
  const rowOf = (label: string, sides: CSide[], always = false): void => {
    const cells = [0, 1, 2].map((ph) => sides.reduce<number>((n, sd) => n + a.bySideAndPhase[sd]![ph]!, 0));
    const total = cells.reduce((x, y) => x + y, 0);
    if (total === 0 && !always) return;
    out.push(`  ${label.padEnd(30)}${cells.map((c) => col(int(c))).join('')}${col(int(total))}`);
  };
  rowOf('primary (legacy)', [CSIDE.primary], true);
  rowOf('canary, answered by users', [CSIDE.canary], true);
  rowOf('canary, injected 500', [CSIDE.canaryFailed], !p.fallback);
  rowOf('canary failed -> legacy', [CSIDE.fallback], p.fallback);
  rowOf('stand-in upstream error', [CSIDE.standinError]);
  rowOf('unknown side', [CSIDE.unknown]);
  rowOf('no response', [CSIDE.none]);
  const allSides = [0, 1, 2, 3, 4, 5, 6] as CSide[];
  rowOf('all', allSides, true);
  const share = [0, 1, 2].map((ph) => {
    const canary = [...CANARY_SIDES].reduce<number>((n, sd) => n + a.bySideAndPhase[sd]![ph]!, 0);
    const all = allSides.reduce<number>((n, sd) => n + a.bySideAndPhase[sd]![ph]!, 0);
    return pct(canary, all);
  });
  out.push(`  ${'canary share'.padEnd(30)}${share.map(col).join('')}`);
  const m = o.metrics;
  const d = (from: CanaryMetrics | undefined, to: CanaryMetrics | undefined, k: 'primary' | 'canary'): string => (from && to ? int(to[k] - from[k]) : '?');
  if (m.halt && o.halt) {
    out.push(`strangler_canary_requests_total (deltas: load start -> flip -> halt line read (halt+${Math.round(m.halt.at - o.halt.at)} ms) -> end)`);
    out.push(`  ${''.padEnd(30)}${col('start -> flip')}${col('flip -> read')}${col('read -> end')}`);
    for (const k of ['primary', 'canary'] as const) out.push(`  ${`side="${k}"`.padEnd(30)}${col(d(m.start, m.flip, k))}${col(d(m.flip, m.halt, k))}${col(d(m.halt, m.end, k))}`);
  } else {
    out.push('strangler_canary_requests_total (deltas: load start -> flip -> end; no halt)');
    out.push(`  ${''.padEnd(30)}${col('start -> flip')}${col('flip -> end')}`);
    for (const k of ['primary', 'canary'] as const) out.push(`  ${`side="${k}"`.padEnd(30)}${col(d(m.start, m.flip, k))}${col(d(m.flip, m.end, k))}`);
  }
  out.push(`  requests sent ${int(a.n)} in ${secs(spanMs)} (${int((a.n * 1000) / Math.max(1, spanMs))} req/s)`);
  out.push('');

  out.push('canary failures before the halt');
  out.push(`  seen by clients   ${int(v.canaryFailures)} ${p.fallback ? 'answered by legacy as fallback (x-strangler-fallback: legacy)' : 'injected 500s'}, ` +
    `sent before the halt (${int(a.canaryFailuresAnsweredAfterHalt)} of them in flight at the halt, answered after it)`);
  out.push(`  at the stand-in   ${int(a.injectedAtStandin)} requests answered 500`);
  out.push(`  client-visible    ${int(r.bad.filter(Boolean).length)} error(s) in all: ${p.fallback ? 'the fallback hid the canary\'s 500s' : 'the canary\'s 500s, the price of the canary until its halt'}`);
  for (const [what, n] of [...r.errors].sort((x, y) => y[1] - x[1]).slice(0, 8)) out.push(`  ${int(n).padStart(7)} x ${what}`);
  out.push('');

  out.push('after the halt');
  out.push(`  client side       ${int(v.canaryAfterHalt)} of ${int(a.bySideAndPhase.reduce((n, row) => n + row[2]!, 0))} requests sent after the halt went through the canary`);
  out.push(`  stand-in          ${int(v.standinAfterHalt)} of them arrived at the stand-in (by X-Request-Id); ${int(a.standinInFlight)} requests sent before the halt arrived after it (in flight)` +
    (a.lastStandinArrival !== undefined && o.halt ? `; last arrival at halt${signed(a.lastStandinArrival - o.halt.at)}` : ''));
  out.push(`  metric            strangler_canary_requests_total{side="canary"} ${v.canaryMetricAfterHalt === undefined ? 'not read' : `+${int(v.canaryMetricAfterHalt)}`} from the halt line's reading to the end` +
    (m.end ? ` (total ${int(m.end.canary)}; the stand-in received ${int(o.arrivals.length)} requests in all, the pre-drill check included)` : ''));
  out.push(`  sticky keys       ${int(a.idsOnCanary)} of ${int(s.users)} x-user-id values (${pct(a.idsOnCanary, s.users)}) were on the canary before the halt, ` +
    `${int(a.idsOnBothSides)} on both sides; after the halt ${int(a.idsOnCanaryAfterHalt)} on the canary`);
  out.push('');

  const lat = (label: string, pred: (i: number) => boolean): LatencyRow => {
    const xs: number[] = [];
    for (let i = 0; i < a.n; i++) if (pred(i)) xs.push(r.latencyMs[i]!);
    return latencyRow(label, xs);
  };
  const ph = (i: number): number => (r.sentAt[i]! < o.flipAt ? 0 : r.sentAt[i]! < H ? 1 : 2);
  out.push(...renderLatencyTable([
    lat('primary, before the flip', (i) => r.side[i] === CSIDE.primary && ph(i) === 0),
    lat('primary, flip -> halt', (i) => r.side[i] === CSIDE.primary && ph(i) === 1),
    lat('primary, after the halt', (i) => r.side[i] === CSIDE.primary && ph(i) === 2),
    lat('canary, before the flip', (i) => r.side[i] === CSIDE.canary && ph(i) === 0),
    lat(p.fallback ? 'canary -> fallback' : 'canary, injected 500', (i) => r.side[i] === (p.fallback ? CSIDE.fallback : CSIDE.canaryFailed)),
  ]));
  out.push('');
  out.push(`primary traffic   ${int(v.legacyErrors)} answer(s) from legacy with an unexpected status, ${int(a.unexplained)} with no response or from an unknown side`);
  out.push(...proxyErrorLinesSection(o.proxyErrorLines));
  out.push('');
  if (v.pass) {
    out.push(`PASS: the canary halted ${secs(v.haltAfterFlipMs!)} after the flip (bar ${secs(v.haltBarMs)}) after ${int(v.canaryFailures)} failed canary request(s); ` +
      `0 canary requests after the halt (client side, stand-in, metric); 0 errors from legacy in ${int(a.n)} GETs`);
  } else out.push(`FAIL: ${v.reasons.join('; ')}`);
  return out.join('\n') + '\n';
}
