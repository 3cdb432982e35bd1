// Turns what the fault drill saw into the summary and the verdict. Pure: no I/O, no clock.
//
// The bar: no client-visible error for these GETs (a non-2xx other than the expected 404s, or no
// response at all), and the breaker, opened by the outage, closes again within
// halfOpenAfterMs + 1 s of the users service's return (its "listening" line after the restart).
import type { Counted } from './fault-admin.js';
import type { BreakerTransition } from './fault-log.js';
import { SIDE, type LoadRecord } from './fault-load.js';
import { describePolicy, type FaultPolicy } from './fault-routes.js';
import { int, secs, signed } from './common-format.js';
import { latencyRow, renderLatencyTable, type LatencyRow } from './common-latency.js';
import { describePaths, proxyErrorLinesSection } from './common-summary.js';

export interface FaultObservations {
  readonly settings: {
    readonly clients: number;
    readonly rate: number;
    readonly durationMs: number;
    readonly killAtMs: number;
    readonly downMs: number;
    readonly policy: FaultPolicy;
    readonly pinning: string;
  };
  readonly stack: { readonly proxyUrl: string; readonly adminUrl: string; readonly legacyUrl: string; readonly usersUrl: string; readonly tmpDir: string };
  readonly record: LoadRecord;
  /** Epoch ms of the SIGKILL, and how the process ended. */
  readonly kill: { readonly at: number; readonly exit: string } | undefined;
  readonly restart: { readonly issuedAt: number; readonly backAt: number; readonly failedStarts: readonly string[] } | undefined;
  /** Breaker transitions of the /users route, from the proxy's log. */
  readonly transitions: readonly BreakerTransition[];
  readonly fallbackLines: ReadonlyMap<string, number>;
  readonly retryLines: ReadonlyMap<string, number>;
  /** Metric deltas over the drill. */
  readonly retries: Counted | undefined;
  readonly fallbacks: Counted | undefined;
  readonly finalBreaker: { readonly routes: string; readonly metric: number | undefined } | undefined;
  readonly proxyErrorLines: readonly string[];
  /** Things that went wrong outside the bar (a child died, the restart failed, the admin API did not answer). */
  readonly problems: readonly string[];
}

export interface FaultVerdict {
  readonly pass: boolean;
  readonly reasons: readonly string[];
  readonly errors: number;
  /** ms from the service's return to the breaker closing; undefined if that was not seen. */
  readonly recoveryMs: number | undefined;
  readonly recoveryBarMs: number;
}

function latency(label: string, r: LoadRecord, from: number, to: number): LatencyRow {
  const xs: number[] = [];
  for (let i = 0; i < r.sentAt.length; i++) if (r.sentAt[i]! >= from && r.sentAt[i]! < to) xs.push(r.latencyMs[i]!);
  return latencyRow(label, xs);
}

/** The first "closed" after the last "opened" that followed the kill, if the breaker stayed closed. */
function closing(o: FaultObservations): { opened?: BreakerTransition; closed?: BreakerTransition; final?: BreakerTransition } {
  const after = o.kill === undefined ? [] : o.transitions.filter((t) => t.at >= o.kill!.at - 5);
  const opened = after.find((t) => t.event === 'opened');
  const final = after[after.length - 1];
  const closed = final?.event === 'closed' ? final : undefined;
  return { ...(opened && { opened }), ...(closed && { closed }), ...(final && { final }) };
}

export function judge(o: FaultObservations): FaultVerdict {
  const reasons: string[] = [];
  const errors = o.record.failed.reduce((n, f) => n + (f ? 1 : 0), 0);
  const { halfOpenAfterMs } = o.settings.policy.breaker;
  const recoveryBarMs = halfOpenAfterMs + 1000;
  if (errors > 0) reasons.push(`${errors} client-visible error${errors === 1 ? '' : 's'} (the bar is 0)`);
  const { opened, closed, final } = closing(o);
  let recoveryMs: number | undefined;
  if (o.kill === undefined) reasons.push('the users service was not killed');
  else if (o.restart === undefined) reasons.push('the users service did not come back');
  else if (opened === undefined) reasons.push('the breaker never opened after the kill');
  else if (closed === undefined) reasons.push(`the breaker did not close again after the service's return (last seen: ${final?.event ?? 'nothing'})`);
  else {
    recoveryMs = closed.at - o.restart.backAt;
    if (recoveryMs > recoveryBarMs) reasons.push(`the breaker closed ${secs(recoveryMs)} after the service's return (bar: ${secs(recoveryBarMs)})`);
  }
  if (o.finalBreaker !== undefined && o.finalBreaker.routes !== 'closed') reasons.push(`/routes shows the breaker ${o.finalBreaker.routes} at the end`);
  if (o.record.sentAt.length === 0) reasons.push('no request was sent');
  reasons.push(...o.problems);
  return { pass: reasons.length === 0, reasons, errors, recoveryMs, recoveryBarMs };
}

function byReason(c: ReadonlyMap<string, number>): string {
  const parts = [...c].filter(([, v]) => v !== 0).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${int(v)}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}
function sum(c: ReadonlyMap<string, number>): number {
  let n = 0;
  for (const v of c.values()) n += v;
  return n;
}

export function renderFaultSummary(o: FaultObservations, v: FaultVerdict): string {
  const r = o.record;
  const s = o.settings;
  const out: string[] = [];
  const t0 = r.startedAt;
  const rel = (at: number): string => `t=${((at - t0) / 1000).toFixed(3)} s`;
  const sent = r.sentAt.length;
  const spanMs = r.stoppedAt - r.startedAt;

  out.push('fault drill: the users service is SIGKILLed under load, then restarted');
  out.push(`  load      ${s.clients} keep-alive clients, target ${int(s.rate)} req/s, ${secs(s.durationMs)}; kill at +${secs(s.killAtMs)}, down ${secs(s.downMs)}`);
  out.push(`  route     /users -> users: ${describePolicy(s.policy)}`);
  out.push(`  stack     proxy ${o.stack.proxyUrl} (admin ${o.stack.adminUrl}), users ${o.stack.usersUrl}, legacy ${o.stack.legacyUrl}`);
  out.push(`  pinning   ${s.pinning}`);
  out.push(`  paths     ${describePaths(r.paths)}`);
  out.push('');

  out.push('timeline (t = since the load started; kill+ / back+ = since the SIGKILL / the service listening again)');
  const line = (at: number, what: string): void => {
    const k = o.kill === undefined ? '' : `kill${signed(at - o.kill.at)}`;
    const b = o.restart === undefined || at < o.restart.backAt - 0.5 ? '' : `  back${signed(at - o.restart.backAt)}`;
    out.push(`  ${rel(at).padEnd(12)} ${k.padEnd(15)}${b.padEnd(17)} ${what}`);
  };
  const events: { at: number; what: string }[] = [];
  if (o.kill) events.push({ at: o.kill.at, what: `users service SIGKILLed (${o.kill.exit})` });
  if (o.restart) {
    events.push({ at: o.restart.issuedAt, what: `users service restarted (same port, same data dir)${o.restart.failedStarts.length ? `, after ${o.restart.failedStarts.length} failed start(s): ${o.restart.failedStarts.join('; ')}` : ''}` });
    events.push({ at: o.restart.backAt, what: `users service listening again (${int(o.restart.backAt - o.restart.issuedAt)} ms after the restart)` });
  }
  const shown = o.transitions.slice(0, 40);
  for (const t of shown) {
    const what =
      t.event === 'opened' ? `breaker opened${t.reason ? ` (${t.reason})` : ''}` : t.event === 'half-open' ? 'breaker half-open: one trial request' : 'breaker closed';
    events.push({ at: t.at, what: `${what}  [${t.requestId ?? '-'}]` });
  }
  events.sort((a, b) => a.at - b.at);
  for (const e of events) line(e.at, e.what);
  if (o.transitions.length > shown.length) out.push(`  ... ${o.transitions.length - shown.length} more breaker transitions`);
  if (o.transitions.length === 0) out.push('  (no breaker transition in the proxy log)');
  out.push('');

  const count = (pred: (i: number) => boolean): number => {
    let n = 0;
    for (let i = 0; i < sent; i++) if (pred(i)) n++;
    return n;
  };
  const expected404 = count((i) => r.paths[r.path[i]!]!.expect === 404 && r.status[i] === 404);
  const noResponse = count((i) => r.status[i] === 0);
  const unexpectedStatus = count((i) => r.failed[i]! && r.status[i] !== 0);
  const fromUsers = count((i) => r.side[i] === SIDE.users);
  const fromFallback = count((i) => r.side[i] === SIDE.fallback);
  const legacyBare = count((i) => r.side[i] === SIDE.legacyWithoutFallbackHeader);
  const unknownSide = count((i) => r.side[i] === SIDE.unknown);

  out.push(`requests          ${int(sent)} sent in ${secs(spanMs)} (${int((sent * 1000) / Math.max(1, spanMs))} req/s)`);
  out.push(`  answered by     users-service ${int(fromUsers)}, legacy as fallback ${int(fromFallback)}` + (legacyBare ? `, legacy WITHOUT x-strangler-fallback ${int(legacyBare)}` : '') + (unknownSide ? `, unknown side ${int(unknownSide)}` : ''));
  out.push(`  expected 404s   ${int(expected404)}`);
  out.push(`client errors     ${int(v.errors)} (unexpected status ${int(unexpectedStatus)}, no response ${int(noResponse)})`);
  for (const [what, n] of [...r.errors].sort((a, b) => b[1] - a[1]).slice(0, 10)) out.push(`  ${int(n).padStart(7)} x ${what}`);
  out.push(`fallbacks         ${int(fromFallback)} responses with x-strangler-fallback: legacy; ` +
    `metric strangler_fallbacks_total ${o.fallbacks ? int(o.fallbacks.total) + byReason(o.fallbacks.by) : 'unavailable'}; ` +
    `"falling back" log lines ${int(sum(o.fallbackLines))}`);
  out.push(`retries           metric strangler_upstream_retries_total ${o.retries ? int(o.retries.total) + byReason(o.retries.by) : 'unavailable'}; ` +
    `"retrying" log lines ${int(sum(o.retryLines))}`);
  if (o.finalBreaker) out.push(`breaker at end    /routes: ${o.finalBreaker.routes}; metric strangler_breaker_state ${o.finalBreaker.metric ?? 'absent'}`);
  out.push('');

  const { closed } = closing(o);
  const rows: LatencyRow[] = [latency('overall', r, -Infinity, Infinity)];
  if (o.kill) {
    const back = o.restart?.backAt ?? Infinity;
    rows.push(latency('before the kill', r, -Infinity, o.kill.at));
    rows.push(latency('outage (kill -> back)', r, o.kill.at, back));
    if (o.restart) {
      const end = closed?.at ?? Infinity;
      rows.push(latency('recovery (back -> closed)', r, back, end));
      if (closed) rows.push(latency('after the breaker closed', r, end, Infinity));
    }
  }
  out.push(...renderLatencyTable(rows));
  out.push('');

  out.push(`back -> breaker closed: ${v.recoveryMs === undefined ? 'not seen' : secs(v.recoveryMs)} (bar: <= halfOpenAfterMs ${s.policy.breaker.halfOpenAfterMs} + 1000 = ${secs(v.recoveryBarMs)})`);
  out.push(...proxyErrorLinesSection(o.proxyErrorLines));
  out.push('');
  if (v.pass) out.push(`PASS: 0 client-visible errors in ${int(sent)} GETs; the breaker closed ${secs(v.recoveryMs!)} after the service's return (bar ${secs(v.recoveryBarMs)})`);
  else out.push(`FAIL: ${v.reasons.join('; ')}`);
  return out.join('\n') + '\n';
}
