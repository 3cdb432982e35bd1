// The numbers every report of the bench, the drills and the traffic generator uses: nearest-rank
// percentiles, medians, counts by key.

export const countInto = (m: Map<string, number>, k: string, by = 1): void => void m.set(k, (m.get(k) ?? 0) + by);

/** Nearest-rank percentile of an ascending list; NaN when it is empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  return n === 0 ? NaN : sorted[Math.min(n, Math.max(1, Math.ceil((p / 100) * n))) - 1]!;
}

export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}
/** Nearest-rank percentiles of an unsorted list; `empty` for every figure of an empty list. */
export function percentiles(xs: readonly number[], empty = 0): Percentiles {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? { count: 0, p50: empty, p99: empty, max: empty } : { count: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1]! };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
/** The median of the known values, or undefined. */
export function medianOf(xs: readonly (number | undefined)[]): number | undefined {
  const known = xs.filter((x): x is number => x !== undefined);
  return known.length ? median(known) : undefined;
}
