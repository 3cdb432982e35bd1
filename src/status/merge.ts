// Merging the status figures of several workers or replicas: counts add, histograms merge, the
// series adds point by point, a route's live state takes the worst breaker and any halt. Pure.

import { compareText } from '../util/canonical-json.js';
import { emptyHistogram, mergeHistograms } from '../shadow/histogram.js';
import type { ShadowReport } from '../shadow/report.js';
import { SERIES_POINTS, mergeLive, perSecond, type CellSide, type Counts, type RouteLive, type SeriesPoint, type StatusCells } from './cells.js';
import type { RouteInput } from './table-input.js';
import type { MigrationStatus } from './types.js';

/** Everything the status is built from, as one plain value (GET /status/input). */
export interface StatusInput {
  readonly version: string;
  readonly legacyUpstream: string | null;
  readonly routes: readonly RouteInput[];
  readonly cells: StatusCells;
  /** The shadow reports (not merged by route yet). */
  readonly shadow: readonly ShadowReport[];
  readonly reloads: MigrationStatus['reloads'];
}

function addCounts(a: Counts, b: Counts): Counts {
  return { requests: a.requests + b.requests, errors: a.errors + b.errors, fellBack: (a.fellBack ?? 0) + (b.fellBack ?? 0), latency: mergeHistograms(a.latency, b.latency) };
}

/** What stays of a process gone (a dead worker): its counts since start, its fallbacks and its
 *  series; not its last 5 minutes (they would never age out) nor its live state. */
export function retiredCells(c: StatusCells): StatusCells {
  const none = (): Counts => ({ requests: 0, errors: 0, fellBack: 0, latency: emptyHistogram() });
  return { windowMs: 0, sides: c.sides.map((s) => ({ ...s, window: none(), windowMs: 0 })), fallbacks: c.fallbacks, series: c.series, live: [] };
}

/** The cells of all of them; the inputs are not changed. */
export function mergeCells(all: readonly StatusCells[]): StatusCells {
  const sides = new Map<string, CellSide>();
  const fallbacks: Record<string, number> = {};
  const series = new Map<string, SeriesPoint>();
  const live = new Map<string, RouteLive>();
  /** Per side key: the summed rate (requests per second) and the longest window. */
  const rates = new Map<string, { rate: number; longestMs: number }>();
  let windowMs = 0;
  for (const c of all) {
    windowMs = Math.max(windowMs, c.windowMs);
    for (const s of c.sides) {
      const key = `${s.route}\u0000${s.upstream}\u0000${s.role}`;
      const held = sides.get(key);
      sides.set(key, held === undefined ? structuredClone(s) : { ...held, window: addCounts(held.window, s.window), total: addCounts(held.total, s.total) });
      // Each process's requests over the time its own window covers (a young one's are not spread over an old one's 5 minutes).
      const own = s.windowMs ?? c.windowMs;
      const r = rates.get(key) ?? { rate: 0, longestMs: 0 };
      rates.set(key, { rate: r.rate + perSecond(s.window.requests, own), longestMs: Math.max(r.longestMs, own) });
    }
    for (const [route, n] of Object.entries(c.fallbacks)) fallbacks[route] = (fallbacks[route] ?? 0) + n;
    for (const p of c.series) {
      const held = series.get(p.at);
      series.set(p.at, held === undefined ? { ...p } : { at: p.at, requests: held.requests + p.requests, nonLegacy: held.nonLegacy + p.nonLegacy });
    }
    for (const l of c.live) {
      const held = live.get(l.route);
      live.set(l.route, held === undefined ? l : mergeLive(held, l));
    }
  }
  return {
    windowMs,
    sides: [...sides].map(([key, s]) => {
      const { rate, longestMs } = rates.get(key)!;
      // The time over which the summed requests are the summed rate (so merging again keeps it).
      return { ...s, windowMs: rate === 0 ? longestMs : (s.window.requests / rate) * 1000 };
    }),
    fallbacks,
    series: [...series.values()].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)).slice(-SERIES_POINTS),
    live: [...live.values()],
  };
}

/** Several replicas' inputs as one: the first one's table (routes another adds are appended),
 *  the cells merged, the shadow reports side by side, the reloads newest first (10). */
export function mergeInputs(all: readonly StatusInput[]): StatusInput {
  const first = all[0];
  if (first === undefined) throw new Error('mergeInputs: nothing to merge');
  const routes = [...first.routes];
  const seen = new Set(routes.map((r) => r.label));
  for (const i of all.slice(1)) for (const r of i.routes) if (!seen.has(r.label)) (seen.add(r.label), routes.push(r));
  const reloads = all.flatMap((i) => i.reloads).sort((a, b) => compareText(b.at, a.at)).slice(0, 10);
  return {
    version: first.version,
    legacyUpstream: first.legacyUpstream,
    routes,
    cells: mergeCells(all.map((i) => i.cells)),
    shadow: all.flatMap((i) => i.shadow),
    reloads,
  };
}

