// What came from outside is checked before it is merged: the shape of a ShadowReport read from
// an admin API (a log line's shape is checked by shadow/log-line.ts).

import { isNumber, isObject, optional } from '../shadow/log-line.js';

function histogramProblem(h: unknown): string | null {
  if (!isObject(h)) return 'is not an object';
  if (!isNumber(h.count) || !isNumber(h.sumMicros)) return 'has no count/sumMicros';
  if (!optional(h.minMs, isNumber) || !optional(h.maxMs, isNumber)) return 'has a bad minMs/maxMs';
  if (!isObject(h.buckets) || !Object.values(h.buckets).every(isNumber)) return 'has bad buckets';
  return null;
}

/** null when `r` has the shape of a ShadowReport, else what is wrong. */
export function reportProblem(r: unknown): string | null {
  if (!isObject(r)) return 'is missing';
  for (const k of ['route', 'since'] as const) if (typeof r[k] !== 'string') return `has no "${k}"`;
  for (const k of ['mirrored', 'match', 'mismatch', 'shadowError'] as const) if (!isNumber(r[k])) return `has no count "${k}"`;
  if (!isObject(r.skipped) || !Object.values(r.skipped).every(isNumber)) return 'has a bad "skipped"';
  if (!isObject(r.noisePaths) || !Object.values(r.noisePaths).every(isNumber)) return 'has a bad "noisePaths"';
  if (!isObject(r.topPaths) || !Object.values(r.topPaths).every((s) => isObject(s) && isNumber(s.count) && isObject(s.example))) {
    return 'has a bad "topPaths"';
  }
  if (!Array.isArray(r.samples) || !r.samples.every((s) => isObject(s) && typeof s.at === 'string')) return 'has bad "samples"';
  if (!isObject(r.latency)) return 'has no "latency"';
  for (const side of ['primary', 'shadow'] as const) {
    const p = histogramProblem(r.latency[side]);
    if (p !== null) return `latency.${side} ${p}`;
  }
  return null;
}
