// The shadow report of one route: a plain JSON value that merges. The reports of several
// workers, processes or JSON-lines files merge into one, and merging the reports of the parts
// gives the report of the whole, whatever the split and the order (while the caps below are
// not reached; see "Bounds"). Pure: no I/O, no clock (every time comes from the events).
//
// Input: one ShadowEvent per finished comparison, exactly what a line of the shadow log holds
// (log-line.ts). Merging is in merge.ts, the summary a person reads in summary.ts.
//
// Counting:
//   mirrored      every event (every sampled request that took the shadow path, whatever its
//                 end), so mirrored = match + mismatch + shadowError + sum(skipped)
//   skipped       by reason (`too_large`, `overload`...; no reason -> `unknown`)
//   topPaths      index-normalised difference paths (`$.items[*].price`, `headers.etag`,
//                 `status`, `body`) -> how many events differed there (once per event however
//                 many elements differed), and one example: the event's first difference at that
//                 path, from the earliest such event (ties: smallest canonical JSON), with the
//                 request that produced it (method and path as the client sent it). Values in
//                 an example longer than 200 characters as JSON become a clipped string ending
//                 in "…".
//   noisePaths    normalised noise paths -> how many events had noise there
//   samples       the last 20 mismatches by `at` (ties: canonical JSON order), oldest first,
//                 each with at most 5 differing paths, the replay curl (through the proxy) and
//                 one curl line per side sent straight to that upstream (primaryCurl, shadowCurl)
//   latency       primaryMs and shadowMs of every event that has them (histogram.ts)
//   since         the earliest of the report's start and every event's `at`
//   truncated     comparisons that stopped at their cap of differences (diff.ts): their paths
//                 past the cap are in no count above
//
// Time order: by Date.parse of the ISO text; equal instants by the text; unparseable last.
//
// Bounds: topPaths and noisePaths keep the 100 most counted paths (ties: path order), samples
// 20. Caps are applied after every record and merge (mergeAll caps once, at the end). Below
// the caps merge is exact; past them a path near the cut can be lost or undercounted, as with
// any bounded top-k.
//
// record() changes the report in place (it is the per-process accumulator) and returns it;
// merge(), mergeAll() and mergeByRoute() (merge.ts) return new values and never change their
// inputs.

import { canonicalJson, compareText } from '../util/canonical-json.js';
import type { DifferenceKind } from './diff.js';
import { emptyHistogram, observe, type Histogram } from './histogram.js';
import { normalizePath } from './json-path.js';
import type { ShadowEvent } from './log-line.js';
import { get, put } from './plain-object.js';

/** The request behind an example: its method and path (with query) as the client sent it. */
export interface ExampleRequest {
  method: string;
  path: string;
}

export interface PathExample {
  /** When it was seen. */
  at: string;
  /** Which request produced it (absent in reports made before examples carried it). */
  request?: ExampleRequest;
  /** The concrete path, e.g. `$.items[3].price`. */
  path: string;
  kind: DifferenceKind;
  primary: unknown;
  shadow: unknown;
}

export interface PathStat {
  count: number;
  example: PathExample;
}

export interface Sample {
  at: string;
  method: string;
  path: string;
  primaryStatus: number | null;
  shadowStatus: number | null;
  /** The first few differing paths, as the diff named them. */
  differingPaths: string[];
  /** Replays the request through the proxy (to the Host the client named). */
  curl: string | null;
  /** The request as the primary upstream got it, sent straight to it (null: not recorded). */
  primaryCurl: string | null;
  /** The request as the shadow upstream got it, sent straight to it (null: not recorded). */
  shadowCurl: string | null;
}

export interface ShadowReport {
  route: string;
  /** ISO time it counts from. */
  since: string;
  mirrored: number;
  match: number;
  mismatch: number;
  shadowError: number;
  skipped: Record<string, number>;
  topPaths: Record<string, PathStat>;
  noisePaths: Record<string, number>;
  /** Oldest first. */
  samples: Sample[];
  latency: { primary: Histogram; shadow: Histogram };
  /** Comparisons that stopped at their cap of differences (absent in older reports: none). */
  truncated?: number;
}

export const TOP_PATHS_CAP = 100;
export const NOISE_PATHS_CAP = 100;
export const SAMPLES_CAP = 20;
export const SAMPLE_PATHS_CAP = 5;
export const EXAMPLE_VALUE_MAX_CHARS = 200;

// ---------------------------------------------------------------------------------------------
// Small helpers

/** Total order of ISO times: by instant, then by text; unparseable ones last. */
export function compareAt(a: string, b: string): number {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  const fa = Number.isFinite(ta);
  const fb = Number.isFinite(tb);
  if (fa !== fb) return fa ? -1 : 1;
  if (fa && ta !== tb) return ta - tb;
  return compareText(a, b);
}

export function earlier(a: string, b: string): string {
  return compareAt(a, b) <= 0 ? a : b;
}

/** Whether an example value is one clip() cut: canonical JSON text, shown as it is (not as a
 *  JSON string). */
function isClipped(v: unknown): v is string {
  return typeof v === 'string' && v.length === EXAMPLE_VALUE_MAX_CHARS && v.endsWith('…');
}

/** An example value as people read it: its JSON, a clipped one as it was clipped, an absent one
 *  named. */
export function exampleText(v: unknown): string {
  if (v === undefined) return '(absent)';
  if (isClipped(v)) return v;
  return JSON.stringify(v) ?? String(v);
}

function clip(v: unknown): unknown {
  if (v === undefined) return undefined;
  const s = canonicalJson(v);
  return s.length > EXAMPLE_VALUE_MAX_CHARS ? s.slice(0, EXAMPLE_VALUE_MAX_CHARS - 1) + '…' : v;
}

export function betterExample(a: PathExample, b: PathExample): PathExample {
  const byTime = compareAt(a.at, b.at);
  if (byTime !== 0) return byTime < 0 ? a : b;
  return compareText(canonicalJson(a), canonicalJson(b)) <= 0 ? a : b;
}

function compareSamples(a: Sample, b: Sample): number {
  return compareAt(a.at, b.at) || compareText(canonicalJson(a), canonicalJson(b));
}

export function capCounts<T>(obj: Record<string, T>, cap: number, count: (v: T) => number): Record<string, T> {
  const keys = Object.keys(obj);
  if (keys.length <= cap) return obj;
  keys.sort((x, y) => count(obj[y]!) - count(obj[x]!) || compareText(x, y));
  const out: Record<string, T> = {};
  for (const k of keys.slice(0, cap)) put(out, k, obj[k]!);
  return out;
}

export function lastSamples(samples: Sample[]): Sample[] {
  samples.sort(compareSamples);
  return samples.length > SAMPLES_CAP ? samples.slice(samples.length - SAMPLES_CAP) : samples;
}

// ---------------------------------------------------------------------------------------------

export function emptyReport(route: string, since: string): ShadowReport {
  return {
    route,
    since,
    mirrored: 0,
    match: 0,
    mismatch: 0,
    shadowError: 0,
    skipped: {},
    topPaths: {},
    noisePaths: {},
    samples: [],
    latency: { primary: emptyHistogram(), shadow: emptyHistogram() },
  };
}

/** Adds one event to the report, in place; returns the report. Throws on another route's event. */
export function record(report: ShadowReport, event: ShadowEvent): ShadowReport {
  if (event.route !== report.route) {
    throw new Error(`shadow event for route ${JSON.stringify(event.route)} recorded into the report of ${JSON.stringify(report.route)}`);
  }
  report.since = earlier(report.since, event.at);
  report.mirrored += 1;
  switch (event.result) {
    case 'match':
      report.match += 1;
      break;
    case 'mismatch':
      report.mismatch += 1;
      break;
    case 'shadow_error':
      report.shadowError += 1;
      break;
    case 'skipped': {
      const reason = event.reason || 'unknown';
      put(report.skipped, reason, (get(report.skipped, reason) ?? 0) + 1);
      break;
    }
  }

  if (event.truncated === true) report.truncated = (report.truncated ?? 0) + 1;
  const differences = event.differences ?? [];
  if (differences.length > 0) recordPaths(report, event, differences);
  if (event.noise !== undefined && event.noise.length > 0) recordNoise(report, event.noise);

  if (event.result === 'mismatch') {
    report.samples.push({
      at: event.at,
      method: event.method,
      path: event.path,
      primaryStatus: event.primaryStatus,
      shadowStatus: event.shadowStatus,
      differingPaths: differences.slice(0, SAMPLE_PATHS_CAP).map((d) => d.path),
      curl: event.curl ?? null,
      primaryCurl: event.primaryCurl ?? null,
      shadowCurl: event.shadowCurl ?? null,
    });
    report.samples = lastSamples(report.samples);
  }

  if (typeof event.primaryMs === 'number') observe(report.latency.primary, event.primaryMs);
  if (typeof event.shadowMs === 'number') observe(report.latency.shadow, event.shadowMs);
  return report;
}

function recordPaths(report: ShadowReport, event: ShadowEvent, differences: NonNullable<ShadowEvent['differences']>): void {
  const seen = new Set<string>();
  for (const d of differences) {
    const key = normalizePath(d.path);
    if (seen.has(key)) continue;
    seen.add(key);
    const example: PathExample = {
      at: event.at,
      request: { method: event.method, path: event.path },
      path: d.path,
      kind: d.kind,
      primary: clip(d.primary),
      shadow: clip(d.shadow),
    };
    const stat = get(report.topPaths, key);
    if (stat) {
      stat.count += 1;
      stat.example = betterExample(stat.example, example);
    } else {
      put(report.topPaths, key, { count: 1, example });
    }
  }
  report.topPaths = capCounts(report.topPaths, TOP_PATHS_CAP, (s) => s.count);
}

function recordNoise(report: ShadowReport, noise: NonNullable<ShadowEvent['noise']>): void {
  const noiseSeen = new Set<string>();
  for (const n of noise) {
    const key = normalizePath(n.path);
    if (noiseSeen.has(key)) continue;
    noiseSeen.add(key);
    put(report.noisePaths, key, (get(report.noisePaths, key) ?? 0) + 1);
  }
  report.noisePaths = capCounts(report.noisePaths, NOISE_PATHS_CAP, (n) => n);
}

/** The report of a list of events (all of one route). */
export function reportOf(route: string, since: string, events: Iterable<ShadowEvent>): ShadowReport {
  const r = emptyReport(route, since);
  for (const e of events) record(r, e);
  return r;
}

