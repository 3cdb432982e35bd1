// `--fail-under PCT`: the gate a CI step (strangler replay) or a deploy script (strangler report)
// checks. Per route, the match rate is match / (match + mismatch): answers that failed and
// requests skipped are reported but not counted. Every route that compared something must reach
// PCT (a route with nothing compared, only skips or errors, is shown and not counted), and at
// least one route must have compared something, unless PCT is 0 (`--fail-under 0` asks nothing
// of the match rate: it passes even with nothing compared, and says so). Pure.

import { groupDigits, percentDown } from './format.js';
import type { ShadowReport } from './report.js';

export interface RouteGate {
  route: string;
  match: number;
  mismatch: number;
  /** 0..1, null when nothing was compared. */
  matchRate: number | null;
  /** False when nothing was compared: not counted either way. */
  pass: boolean;
  counted: boolean;
}

export interface Gate {
  /** The threshold, in percent. */
  failUnder: number;
  pass: boolean;
  routes: RouteGate[];
}

export function gateOf(reports: readonly ShadowReport[], failUnder: number): Gate {
  const routes = reports.map((r) => {
    const compared = r.match + r.mismatch;
    const pass = compared > 0 && r.match * 100 >= failUnder * compared - 1e-9;
    return { route: r.route, match: r.match, mismatch: r.mismatch, matchRate: compared === 0 ? null : r.match / compared, pass, counted: compared > 0 };
  });
  const counted = routes.filter((r) => r.counted);
  return { failUnder, pass: counted.length > 0 ? counted.every((r) => r.pass) : failUnder <= 0, routes };
}

/** The gate as lines for the terminal, the verdict last. */
export function gateLines(g: Gate): string[] {
  const out = [`gate --fail-under ${g.failUnder}% (match / (match + mismatch), every route):`];
  if (!g.routes.some((r) => r.counted)) out.push(g.pass ? '  nothing was compared (--fail-under 0 passes all the same)' : '  nothing was compared: the gate cannot pass');
  for (const r of g.routes) {
    const compared = r.match + r.mismatch;
    const rate = compared === 0 ? 'nothing compared' : `${percentDown(r.match, compared)} (${groupDigits(r.match)} of ${groupDigits(compared)})`;
    out.push(`  ${!r.counted ? '-   ' : r.pass ? 'pass' : 'FAIL'}  ${r.route}  ${rate}`);
  }
  out.push(g.pass ? 'gate: pass' : 'gate: FAIL');
  return out;
}
