// Turns what the drill saw (its writes, the proxy's reload lines, GET /routes after each write,
// and every request of the load) into the summary and the verdict. Pure: no I/O, no clock.
//
// Switch time of a valid write (new upstream N, old O): among the requests SENT after the write
// began and before the next valid write began, in send order, the first one answered by N; the
// switch time is its send time minus T, T = the moment the write returned (the new file is in
// place; how long writes take is reported on its own, a stalled disk shows there). Every request
// sent after that one must be answered by N too: one answered by O is a flip-flop (the swap was
// not atomic), counted per write. No request answered by N in the window: the switch was not
// observed.
import { percentiles } from '../lib/stats.js';
import type { LoadRecord } from './load.js';
import { COLORS, type Color, type PlannedWrite } from './reload-file.js';
import type { ReloadOutcomeLine } from './reload.js';

export const FAILED = -1;

export interface RoutesSeen {
  readonly version?: string;
  readonly svcUpstream?: string;
  readonly lastRejected?: boolean;
  readonly error?: string;
}

/** One write: what it did (`how`, e.g. `configmap (re-link)`), epoch ms before it began (`at`) and
 *  when the new file was in place (`writtenAt`), the version live once it is handled (unchanged for an
 *  invalid one), the reload lines that arrived before the next write, GET /routes after the first. */
export interface WriteResult extends Omit<PlannedWrite, 'gapMs'> {
  readonly how: string;
  readonly at: number;
  readonly writtenAt: number;
  readonly expectedVersion: string;
  readonly versionBefore: string;
  readonly outcomes: readonly ReloadOutcomeLine[];
  readonly routes?: RoutesSeen;
}

export interface DrillInput {
  readonly initial: Color;
  readonly plannedWrites: number;
  readonly writes: readonly WriteResult[];
  readonly load: Pick<LoadRecord, 'sentAt' | 'side' | 'failed' | 'errors'>;
  readonly loadStart: number;
  readonly loadEnd: number;
  readonly countersBefore?: Readonly<Record<string, number>>;
  readonly countersAfter?: Readonly<Record<string, number>>;
  readonly countersError?: string;
  readonly maxSwitchMs: number;
}

/** First index whose sentAt >= t (sentAt is non-decreasing). */
function firstSentAtOrAfter(sentAt: readonly number[], t: number): number {
  let lo = 0;
  let hi = sentAt.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sentAt[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function bump(m: Record<string, number>, k: string, by = 1): void {
  m[k] = (m[k] ?? 0) + by;
}

export function analyseDrill(d: DrillInput) {
  const { writes } = d;
  // Per request in send order: which upstream answered (an index into COLORS), or FAILED.
  const load = { sentAt: d.load.sentAt, who: d.load.side.map((s, i) => (d.load.failed[i] ? FAILED : s)), names: COLORS as readonly string[] };
  const problems: string[] = [];
  const problem = (s: string): void => {
    if (problems.length < 40) problems.push(s);
  };
  const colorIndex = (c: string) => load.names.indexOf(c);
  const rangeOf = (from: number, to: number): [number, number] => [firstSentAtOrAfter(load.sentAt, from), firstSentAtOrAfter(load.sentAt, to)];

  // --- requests ---------------------------------------------------------------------------
  const byUpstream: Record<string, number> = {};
  let failed = 0;
  for (const w of load.who) {
    if (w === FAILED) failed++;
    else bump(byUpstream, load.names[w]!);
  }
  const failures = Object.fromEntries(d.load.errors);
  const loadSeconds = Math.max(1e-3, (d.loadEnd - d.loadStart) / 1000);

  // --- baseline: before the first write, only the initial upstream -------------------------
  let baselineStray = 0;
  {
    const [lo, hi] = rangeOf(-Infinity, writes[0]?.at ?? d.loadEnd);
    for (let k = lo; k < hi; k++) if (load.who[k] !== FAILED && load.who[k] !== colorIndex(d.initial)) baselineStray++;
    if (baselineStray) problem(`before the first write: ${baselineStray} responses not from ${d.initial}`);
  }

  // --- per write ----------------------------------------------------------------------------
  const switchMs: number[] = [];
  let missing = 0;
  let flipFlopWrites = 0;
  let strayResponses = 0;
  let applied = 0;
  let rejected = 0;
  let invalidServedUnchanged = 0;
  let unexpectedOutcomes = 0;
  /** Send index of the last observed switch (the first request of the new upstream), -1: baseline. */
  let lastSwitchIndex = -1;

  writes.forEach((w, i) => {
    const label = `write #${w.n} (${w.invalid ? `invalid: ${w.invalid}` : `/svc ${w.before} -> ${w.after}`}, ${w.how})`;
    const count = (k: ReloadOutcomeLine['kind']) => w.outcomes.filter((o) => o.kind === k).length;
    const routes = w.routes;
    if (routes?.error) problem(`${label}: GET /routes failed: ${routes.error}`);

    if (w.invalid === undefined) {
      // Outcome: exactly one `config reloaded` with the expected version; GET /routes agrees.
      const reloaded = w.outcomes.filter((o) => o.kind === 'reloaded');
      const line = reloaded[0];
      const extra = reloaded.length - 1 + count('rejected') + count('failed');
      if (extra > 0) {
        unexpectedOutcomes += extra;
        problem(`${label}: unexpected reload lines: ${w.outcomes.map((o) => o.kind).join(', ')}`);
      }
      const wantChange = `/svc: upstream ${w.before} -> ${w.after}`;
      if (!line) problem(`${label}: no "config reloaded" line (${w.outcomes.map((o) => o.kind).join(', ') || 'no line at all'})`);
      else if (line.version !== w.expectedVersion || line.previousVersion !== w.versionBefore) {
        problem(`${label}: logged version ${line.previousVersion} -> ${line.version}, expected ${w.versionBefore} -> ${w.expectedVersion}`);
      } else if (routes?.version !== w.expectedVersion || routes.svcUpstream !== w.after) {
        problem(`${label}: GET /routes shows version ${routes?.version} (/svc -> ${routes?.svcUpstream}), expected ${w.expectedVersion} (/svc -> ${w.after})`);
      } else {
        applied++;
        // The drill also moves defaults.timeoutMs at every write (a version per write).
        const changes = line.changes ?? [];
        if (!changes.includes(wantChange) || changes.some((c) => c !== wantChange && !c.startsWith('defaults.timeoutMs '))) {
          unexpectedOutcomes++;
          problem(`${label}: logged changes ${JSON.stringify(line.changes)}, expected "${wantChange}" (and defaults.timeoutMs)`);
        }
      }

      // Traffic: the switch, and no flip-flop until the next valid write.
      const nextValid = writes.slice(i + 1).find((x) => x.invalid === undefined);
      const [lo, hi] = rangeOf(w.at, nextValid?.at ?? d.loadEnd);
      const newI = colorIndex(w.after);
      const oldI = colorIndex(w.before);
      let s = -1;
      let stray = 0;
      for (let k = lo; k < hi; k++) {
        const who = load.who[k];
        if (who === FAILED) continue;
        if (s < 0) {
          if (who === newI) s = k;
        } else if (who === oldI) {
          stray++;
        }
      }
      if (s < 0) {
        missing++;
        problem(`${label}: no request sent after the write was answered by ${w.after} (${hi - lo} requests in its window)`);
      } else {
        lastSwitchIndex = s;
        switchMs.push(Math.max(0, load.sentAt[s]! - w.writtenAt));
        if (stray > 0) {
          flipFlopWrites++;
          strayResponses += stray;
          problem(`${label}: flip-flop: ${stray} requests sent after the first ${w.after} response were answered by ${w.before}`);
        }
      }
    } else {
      const rejectedLines = count('rejected');
      const extra = Math.max(0, rejectedLines - 1) + count('reloaded') + count('failed');
      if (extra > 0) {
        unexpectedOutcomes += extra;
        problem(`${label}: unexpected reload lines: ${w.outcomes.map((o) => o.kind).join(', ')}`);
      }
      const line = w.outcomes.find((o) => o.kind === 'rejected');
      if (!line) problem(`${label}: no "config rejected" line (${w.outcomes.map((o) => o.kind).join(', ') || 'no line at all'})`);
      else if (count('reloaded') > 0) problem(`${label}: rejected but also reloaded`);
      else if (line.liveVersion !== undefined && line.liveVersion !== w.versionBefore) problem(`${label}: rejected with live version ${line.liveVersion}, expected ${w.versionBefore}`);
      else if (routes?.version !== w.versionBefore || routes.svcUpstream !== w.before || routes.lastRejected !== true) {
        problem(`${label}: GET /routes shows version ${routes?.version} (/svc -> ${routes?.svcUpstream}, lastRejected ${routes?.lastRejected}), expected ${w.versionBefore} (/svc -> ${w.before}) with lastRejected set`);
      } else rejected++;

      // Traffic: from the write (or from the last switch, if that came later) to the next write,
      // only the live upstream answers.
      const next = writes[i + 1];
      const [lo0, hi] = rangeOf(w.at, next?.at ?? d.loadEnd);
      const lo = Math.max(lo0, lastSwitchIndex);
      const liveI = colorIndex(w.before);
      let changed = 0;
      for (let k = lo; k < hi; k++) if (load.who[k] !== FAILED && load.who[k] !== liveI) changed++;
      if (changed === 0) invalidServedUnchanged++;
      else problem(`${label}: ${changed} requests sent after it were answered by ${w.before === 'blue' ? 'green' : 'blue'}, not ${w.before}`);
    }
  });

  // --- metrics: the counters moved as the lines say ----------------------------------------
  const countersDelta: Record<string, number> = {};
  let countersAgree = false;
  if (d.countersAfter) {
    for (const k of ['success', 'invalid', 'error']) countersDelta[k] = (d.countersAfter[k] ?? 0) - (d.countersBefore?.[k] ?? 0);
    const lines = writes.flatMap((w) => w.outcomes);
    const want = {
      success: lines.filter((o) => o.kind === 'reloaded' || o.kind === 'unchanged').length,
      invalid: lines.filter((o) => o.kind === 'rejected').length,
      error: lines.filter((o) => o.kind === 'failed').length,
    };
    countersAgree = countersDelta['success'] === want.success && countersDelta['invalid'] === want.invalid && countersDelta['error'] === want.error;
    if (!countersAgree) problem(`strangler_config_reloads_total moved by ${JSON.stringify(countersDelta)}, the log lines say ${JSON.stringify(want)}`);
  } else {
    problem(`GET /metrics failed: ${d.countersError ?? 'no answer'}`);
  }

  const valid = writes.filter((w) => w.invalid === undefined).length;
  const invalid = writes.length - valid;
  const switches = percentiles(switchMs);
  const reasons: string[] = [];
  if (writes.length < d.plannedWrites) reasons.push(`only ${writes.length} of ${d.plannedWrites} writes done`);
  if (load.sentAt.length === 0) reasons.push('no request was sent');
  if (failed > 0) reasons.push(`${failed} failed requests`);
  if (applied < valid) reasons.push(`${valid - applied} of ${valid} valid versions not applied`);
  if (rejected < invalid) reasons.push(`${invalid - rejected} of ${invalid} invalid versions not rejected`);
  if (invalidServedUnchanged < invalid) reasons.push(`the served upstream changed after ${invalid - invalidServedUnchanged} invalid writes`);
  if (missing > 0) reasons.push(`${missing} switches not observed in the traffic`);
  if (flipFlopWrites > 0 || baselineStray > 0) reasons.push(`not atomic: ${flipFlopWrites} writes flip-flopped (${strayResponses + baselineStray} stray responses)`);
  if (switches.count > 0 && switches.p99 >= d.maxSwitchMs) reasons.push(`switch time p99 ${switches.p99.toFixed(0)} ms >= ${d.maxSwitchMs} ms`);
  if (unexpectedOutcomes > 0) reasons.push(`${unexpectedOutcomes} unexpected reload log lines`);
  if (!countersAgree) reasons.push('strangler_config_reloads_total does not match the log');

  return {
    pass: reasons.length === 0,
    reasons,
    writes: { planned: d.plannedWrites, done: writes.length, valid, invalid },
    requests: { sent: load.sentAt.length, failed, perSecond: load.sentAt.length / loadSeconds, byUpstream, failures },
    applied,
    rejected,
    invalidServedUnchanged,
    switches: { ...switches, missing, flipFlopWrites, strayResponses },
    unexpectedOutcomes,
    baselineStray,
    ...(d.countersAfter ? { countersDelta } : {}),
    countersAgree,
    problems,
  };
}
