// Merging shadow reports: of several workers, processes, replicas or log files. merge(a, b)
// equals the report of a's and b's events together (below the caps, see report.ts). The one
// place reports are merged: the admin API (GET /shadow/report, GET /shadow) and `strangler
// report` all go through mergeByRoute. Pure.

import { compareText } from '../util/canonical-json.js';
import { mergeHistograms } from './histogram.js';
import { get, put } from './plain-object.js';
import {
  betterExample,
  capCounts,
  earlier,
  emptyReport,
  lastSamples,
  NOISE_PATHS_CAP,
  TOP_PATHS_CAP,
  type ShadowReport,
} from './report.js';

function mergeUncapped(reports: readonly ShadowReport[]): ShadowReport {
  const first = reports[0];
  if (!first) throw new Error('mergeAll needs at least one report');
  const out = emptyReport(first.route, first.since);
  for (const r of reports) {
    if (r.route !== out.route) {
      throw new Error(`cannot merge the shadow reports of ${JSON.stringify(out.route)} and ${JSON.stringify(r.route)} (use mergeByRoute)`);
    }
    out.since = earlier(out.since, r.since);
    out.mirrored += r.mirrored;
    out.match += r.match;
    out.mismatch += r.mismatch;
    out.shadowError += r.shadowError;
    if (r.truncated !== undefined) out.truncated = (out.truncated ?? 0) + r.truncated;
    for (const [k, n] of Object.entries(r.skipped)) put(out.skipped, k, (get(out.skipped, k) ?? 0) + n);
    for (const [k, s] of Object.entries(r.topPaths)) {
      const have = get(out.topPaths, k);
      if (have) put(out.topPaths, k, { count: have.count + s.count, example: betterExample(have.example, s.example) });
      else put(out.topPaths, k, { count: s.count, example: s.example });
    }
    for (const [k, n] of Object.entries(r.noisePaths)) put(out.noisePaths, k, (get(out.noisePaths, k) ?? 0) + n);
    out.samples.push(...r.samples);
    out.latency = {
      primary: mergeHistograms(out.latency.primary, r.latency.primary),
      shadow: mergeHistograms(out.latency.shadow, r.latency.shadow),
    };
  }
  return out;
}

function capped(r: ShadowReport): ShadowReport {
  r.topPaths = capCounts(r.topPaths, TOP_PATHS_CAP, (s) => s.count);
  r.noisePaths = capCounts(r.noisePaths, NOISE_PATHS_CAP, (n) => n);
  r.samples = lastSamples(r.samples);
  return r;
}

/** One report holding both (same route); the inputs are not changed. */
export function merge(a: ShadowReport, b: ShadowReport): ShadowReport {
  return capped(mergeUncapped([a, b]));
}

/** One report holding all of them (same route, at least one); the inputs are not changed. */
export function mergeAll(reports: readonly ShadowReport[]): ShadowReport {
  return capped(mergeUncapped(reports));
}

/** A route that shows a report even before it has data: an empty one counting from `since`. */
export interface ExpectedRoute {
  readonly route: string;
  readonly since: string;
}

/**
 * Reports of any routes merged per route, one per route in prefix order; each `expected` route
 * that has no report gets an empty one (counting from its `since`).
 */
export function mergeByRoute(reports: readonly ShadowReport[], expected: Iterable<ExpectedRoute> = []): ShadowReport[] {
  const groups = new Map<string, ShadowReport[]>();
  for (const r of reports) {
    const g = groups.get(r.route);
    if (g) g.push(r);
    else groups.set(r.route, [r]);
  }
  const out = new Map<string, ShadowReport>();
  for (const [route, group] of groups) out.set(route, mergeAll(group));
  for (const e of expected) if (!out.has(e.route)) out.set(e.route, emptyReport(e.route, e.since));
  return [...out.values()].sort((a, b) => compareText(a.route, b.route));
}
