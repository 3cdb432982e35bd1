// What a person (or `strangler report`, or GET /shadow) reads from a ShadowReport: the match
// rate, a verdict, the differing paths by count, the latest mismatches and latency percentiles.
// Pure.
//
// compared  = match + mismatch + shadowError (a shadow that failed to answer did not match;
//             skipped requests were not compared and do not count either way)
// matchRate = match / compared (null when nothing was compared)
// verdict   'not enough data' while compared < minCompared (default 1,000);
//           else 'ready' when matchRate >= readyMatchRate (default 0.995, i.e. 99.5%) and
//           something matched;
//           else 'not ready'.
// verdictText, percentages rounded DOWN to one decimal (99.46% reads 99.4%, never 99.5%):
//   "ready: 99.7% match over 12,400 requests"
//   "not ready: 97.1% match over 12,400 requests (needs 99.5%)"
//   "not enough data: 99.4% match over 312 requests (needs 1,000)"
//   "not enough data: no requests compared yet"

import { compareText } from '../util/canonical-json.js';
import { groupDigits, percentDown } from './format.js';
import { quantile, type Histogram } from './histogram.js';
import type { PathExample, Sample, ShadowReport } from './report.js';

export interface Thresholds {
  /** Fewer compared requests than this: 'not enough data'. */
  readonly minCompared: number;
  /** Match rate (0..1) at or above which the route is 'ready'. */
  readonly readyMatchRate: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { minCompared: 1000, readyMatchRate: 0.995 };

export interface LatencySummary {
  count: number;
  /** Milliseconds, null when no value was recorded. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface ReportSummary {
  route: string;
  since: string;
  mirrored: number;
  compared: number;
  match: number;
  mismatch: number;
  shadowError: number;
  /** Comparisons that stopped at their cap of differences: the paths undercount past it. */
  truncated: number;
  skipped: Record<string, number>;
  matchRate: number | null;
  verdict: 'ready' | 'not ready' | 'not enough data';
  verdictText: string;
  /** Most counted first (ties: path order). */
  topPaths: { path: string; count: number; example: PathExample }[];
  noisePaths: { path: string; count: number }[];
  /** Newest first. */
  samples: Sample[];
  latency: { primary: LatencySummary; shadow: LatencySummary };
}

function round3(v: number | null): number | null {
  return v === null ? null : Math.round(v * 1000) / 1000;
}

function latency(h: Histogram): LatencySummary {
  return { count: h.count, p50: round3(quantile(h, 0.5)), p95: round3(quantile(h, 0.95)), p99: round3(quantile(h, 0.99)) };
}

function thresholdText(rate: number): string {
  const pct = Math.round(rate * 100_000) / 1000; // 0.995 -> 99.5
  return `${pct}%`;
}

export function summarize(report: ShadowReport, thresholds: Partial<Thresholds> = {}): ReportSummary {
  const t: Thresholds = { ...DEFAULT_THRESHOLDS, ...thresholds };
  const compared = report.match + report.mismatch + report.shadowError;
  const matchRate = compared === 0 ? null : report.match / compared;

  let verdict: ReportSummary['verdict'];
  let verdictText: string;
  const over = `${percentDown(report.match, compared)} match over ${groupDigits(compared)} requests`;
  if (compared === 0) {
    verdict = 'not enough data';
    verdictText = 'not enough data: no requests compared yet';
  } else if (compared < t.minCompared) {
    verdict = 'not enough data';
    verdictText = `not enough data: ${over} (needs ${groupDigits(t.minCompared)})`;
  } else if (report.match > 0 && report.match >= t.readyMatchRate * compared - 1e-9) {
    verdict = 'ready';
    verdictText = `ready: ${over}`;
  } else {
    // (Nothing matched is never ready, whatever the threshold: replay --fail-under 0 against a
    // candidate that never answered said "ready: 0.0% match".)
    verdict = 'not ready';
    verdictText = `not ready: ${over} (${report.match === 0 ? 'nothing matched' : `needs ${thresholdText(t.readyMatchRate)}`})`;
  }

  const topPaths = Object.entries(report.topPaths)
    .map(([path, s]) => ({ path, count: s.count, example: s.example }))
    .sort((a, b) => b.count - a.count || compareText(a.path, b.path));
  const noisePaths = Object.entries(report.noisePaths)
    .map(([path, count]) => ({ path, count }))
    .sort((a, b) => b.count - a.count || compareText(a.path, b.path));

  return {
    route: report.route,
    since: report.since,
    mirrored: report.mirrored,
    compared,
    match: report.match,
    mismatch: report.mismatch,
    shadowError: report.shadowError,
    truncated: report.truncated ?? 0,
    skipped: { ...report.skipped },
    matchRate,
    verdict,
    verdictText,
    topPaths,
    noisePaths,
    samples: [...report.samples].reverse(),
    latency: { primary: latency(report.latency.primary), shadow: latency(report.latency.shadow) },
  };
}
