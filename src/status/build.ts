// The migration status from its inputs (merge.ts's StatusInput) at `now`: per route its stage,
// sides (req/s, error rate, p99 over the last 5 minutes), shadow verdict, canary, breaker and
// fallbacks; the migration's progress; what is ready to cut over, in words. Pure.

import { groupDigits, percentDown } from '../shadow/format.js';
import { quantile } from '../shadow/histogram.js';
import { mergeByRoute } from '../shadow/merge.js';
import { summarize } from '../shadow/summary.js';
import { perSecond, type CellSide, type Role, type StatusCells } from './cells.js';
import type { StatusInput } from './merge.js';
import { stageOf } from './stage.js';
import { configuredSides, type RouteInput } from './table-input.js';
import type { MigrationStatus, RouteStatus, ShareWindow, SideStatus } from './types.js';

/** A shadowing route is ready to cut over at this match rate over at least READY_COMPARED. */
export const READY_MATCH_RATE = 0.99;
export const READY_COMPARED = 1000;

const ROLE_ORDER: Record<Role, number> = { primary: 0, canary: 1, fallback: 2, shadow: 3 };

function round3(v: number | null): number | null {
  return v === null ? null : Math.round(v * 1000) / 1000;
}

function share(requests: number, nonLegacy: number): ShareWindow {
  return { requests, nonLegacy, share: requests === 0 ? null : nonLegacy / requests };
}

/** The label's configured sides (even before any request) and any other side with requests in the window. */
function sidesOf(r: RouteInput, cells: readonly CellSide[], windowMs: number): SideStatus[] {
  const configured = configuredSides(r);
  const mine = cells.filter((c) => c.route === r.label);
  const out: SideStatus[] = [];
  const side = (upstream: string, role: Role, c: CellSide | undefined): SideStatus => {
    const requests = c?.window.requests ?? 0;
    const fellBack = c?.window.fellBack ?? 0;
    return {
      upstream, role, requests,
      rps: Math.round(perSecond(requests, c?.windowMs ?? windowMs) * 1000) / 1000,
      errorRate: requests + fellBack === 0 ? null : (c!.window.errors + fellBack) / (requests + fellBack),
      fellBack,
      p99Ms: c === undefined ? null : round3(quantile(c.window.latency, 0.99)),
    };
  };
  for (const [u, role] of configured) out.push(side(u, role, mine.find((c) => c.upstream === u && c.role === role)));
  for (const c of mine) {
    if (c.window.requests === 0 || configured.some(([u, role]) => u === c.upstream && role === c.role)) continue;
    out.push(side(c.upstream, c.role, c));
  }
  return out.sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role]);
}

function progressOf(cells: StatusCells, legacy: string | null, routes: readonly RouteStatus[]): MigrationStatus['progress'] {
  let wr = 0, wn = 0, tr = 0, tn = 0;
  for (const c of cells.sides) {
    if (c.role === 'shadow') continue; // a shadow copy answers no client
    const nonLegacy = c.upstream !== legacy;
    wr += c.window.requests;
    tr += c.total.requests;
    if (nonLegacy) (wn += c.window.requests), (tn += c.total.requests);
  }
  const cutOver = routes.filter((r) => r.stage === 'cut over').length;
  return {
    last5m: share(wr, wn),
    sinceStart: share(tr, tn),
    routes: { total: routes.length, cutOver, share: routes.length === 0 ? null : cutOver / routes.length },
    series: cells.series.map((p) => ({ at: p.at, requests: p.requests, nonLegacy: p.nonLegacy })),
  };
}

function readyOf(routes: readonly RouteStatus[]): MigrationStatus['ready'] {
  const out: { route: string; text: string }[] = [];
  for (const r of routes) {
    const s = r.shadow;
    const compared = s?.compared ?? 0;
    if (r.stage === 'shadowing' && s !== null && compared >= READY_COMPARED && s.match >= READY_MATCH_RATE * compared - 1e-9) {
      out.push({ route: r.label, text: `${r.label}: ${percentDown(s.match, compared)} match over ${groupDigits(compared)} requests: ready to cut over` });
    }
    const p = r.canary?.progress;
    if (r.canary !== null && p != null && p.state === 'ready') {
      out.push({ route: r.label, text: `${r.label}: canary at ${p.percent}% and healthy: ready to cut over: set upstream: ${r.canary.upstream}` });
    }
  }
  return out;
}

export function buildStatus(input: StatusInput, now: Date): MigrationStatus {
  const { cells, legacyUpstream: legacy } = input;
  const summaries = new Map(mergeByRoute(input.shadow).map((rep) => [rep.route, summarize(rep)]));
  const lives = new Map(cells.live.map((l) => [l.route, l]));
  const routes = input.routes.map((r): RouteStatus => {
    const live = lives.get(r.label);
    const halted = live?.halted ?? null;
    const progress = live?.progress ?? null;
    const canary = r.canary === null ? null : { upstream: r.canary.upstream, percent: progress?.percent ?? (halted !== null ? 0 : r.canary.percent), halted, progress };
    const sum = summaries.get(r.label);
    return {
      label: r.label,
      prefix: r.prefix,
      host: r.host,
      ...stageOf({ upstream: r.upstream, shadow: r.shadow, canary }, legacy),
      upstream: r.upstream,
      sides: sidesOf(r, cells.sides, cells.windowMs),
      shadow: r.shadow === null ? null : {
        upstream: r.shadow,
        verdict: sum?.verdict ?? 'not enough data',
        matchRate: sum?.matchRate ?? null,
        compared: sum?.compared ?? 0,
        match: sum?.match ?? 0,
        mismatch: sum?.mismatch ?? 0,
        errors: sum?.shadowError ?? 0,
        skipped: Object.values(sum?.skipped ?? {}).reduce((a, b) => a + b, 0),
      },
      canary,
      breaker: live?.breaker ?? null,
      fallbacks: cells.fallbacks[r.label] ?? 0,
    };
  });
  return {
    version: input.version,
    generatedAt: now.toISOString(),
    legacyUpstream: legacy,
    progress: progressOf(cells, legacy, routes),
    routes,
    reloads: input.reloads.slice(0, 10),
    ready: readyOf(routes),
  };
}
