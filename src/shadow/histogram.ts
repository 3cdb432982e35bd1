// A mergeable latency histogram: fixed log buckets shared by every histogram, so merging is
// adding counts and merge(a, b) equals the histogram of all the values, whatever the order.
// A plain JSON value (it travels in reports between processes). Pure.
//
// Buckets: values in milliseconds; bucket 0 holds [0, 0.001 ms]; bucket i >= 1 holds
// (0.001 * 2^((i-1)/8), 0.001 * 2^(i/8)] ms: eight buckets per doubling, each about 9% wide,
// so a percentile read from the buckets (geometric middle of its bucket, clamped to the
// observed min/max) is within ~4.5% of the true value. Values above ~2.4 hours share the last
// bucket. Only non-empty buckets are stored, keyed by index.
//
// The sum is kept in whole microseconds (integers add exactly, floats would not: merging in a
// different order must give the same sum).

export interface Histogram {
  count: number;
  /** Sum of the values, each rounded to whole microseconds. */
  sumMicros: number;
  minMs: number | null;
  maxMs: number | null;
  /** bucket index -> count, only non-empty buckets. */
  buckets: Record<string, number>;
}

const BASE_MS = 0.001;
const PER_DOUBLING = 8;
export const LAST_BUCKET = 264; // 0.001 ms * 2^33 ≈ 8.6e6 ms

export function emptyHistogram(): Histogram {
  return { count: 0, sumMicros: 0, minMs: null, maxMs: null, buckets: {} };
}

export function bucketOf(ms: number): number {
  if (ms <= BASE_MS) return 0;
  const i = Math.ceil(Math.log2(ms / BASE_MS) * PER_DOUBLING);
  return Math.min(Math.max(i, 1), LAST_BUCKET);
}

/** Upper bound of bucket i, in ms. */
export function bucketUpperMs(i: number): number {
  return BASE_MS * 2 ** (i / PER_DOUBLING);
}

/** Adds one value (ms) in place and returns the histogram. Non-finite values are ignored. */
export function observe(h: Histogram, ms: number): Histogram {
  if (!Number.isFinite(ms)) return h;
  const v = Math.max(0, ms);
  const b = String(bucketOf(v));
  h.buckets[b] = (h.buckets[b] ?? 0) + 1;
  h.count += 1;
  h.sumMicros += Math.round(v * 1000);
  h.minMs = h.minMs === null ? v : Math.min(h.minMs, v);
  h.maxMs = h.maxMs === null ? v : Math.max(h.maxMs, v);
  return h;
}

/** A new histogram holding both; the inputs are not changed. */
export function mergeHistograms(a: Histogram, b: Histogram): Histogram {
  const buckets: Record<string, number> = {};
  for (const src of [a.buckets, b.buckets]) {
    for (const [k, n] of Object.entries(src)) buckets[k] = (buckets[k] ?? 0) + n;
  }
  const pick = (x: number | null, y: number | null, f: (p: number, q: number) => number): number | null =>
    x === null ? y : y === null ? x : f(x, y);
  return {
    count: a.count + b.count,
    sumMicros: a.sumMicros + b.sumMicros,
    minMs: pick(a.minMs, b.minMs, Math.min),
    maxMs: pick(a.maxMs, b.maxMs, Math.max),
    buckets,
  };
}

/** The q-quantile (0 < q <= 1) in ms, or null when empty. */
export function quantile(h: Histogram, q: number): number | null {
  if (h.count === 0 || h.minMs === null || h.maxMs === null) return null;
  const rank = Math.max(1, Math.ceil(q * h.count));
  const indices = Object.keys(h.buckets)
    .map(Number)
    .sort((x, y) => x - y);
  let seen = 0;
  for (const i of indices) {
    seen += h.buckets[String(i)] ?? 0;
    if (seen >= rank) {
      const mid = i === 0 ? 0 : Math.sqrt(bucketUpperMs(i - 1) * bucketUpperMs(i));
      return Math.min(h.maxMs, Math.max(h.minMs, mid));
    }
  }
  return h.maxMs;
}
