// Latency figures of the drills: nearest-rank percentiles, and the fault and canary summaries'
// latency table (send to end of body, p50/p99/max per slice of the requests).
import { int, ms } from './common-format.js';

export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** Nearest-rank percentile of an ascending list; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Nearest-rank percentiles; zeros when empty. */
export function percentiles(xs: readonly number[]): Percentiles {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? { count: 0, p50: 0, p99: 0, max: 0 } : { count: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1]! };
}

export interface LatencyRow extends Percentiles {
  readonly label: string;
}

/** One row of the latency table; NaN (printed `-`) for the figures of an empty slice. */
export function latencyRow(label: string, latenciesMs: readonly number[]): LatencyRow {
  const xs = [...latenciesMs].sort((a, b) => a - b);
  return { label, count: xs.length, p50: percentile(xs, 50), p99: percentile(xs, 99), max: xs.length ? xs[xs.length - 1]! : NaN };
}

/** The table's heading and one line per row. */
export function renderLatencyTable(rows: readonly LatencyRow[]): string[] {
  return [
    'latency (send to end of body)    requests        p50        p99        max',
    ...rows.map((row) => `  ${row.label.padEnd(30)} ${int(row.count).padStart(8)} ${ms(row.p50).padStart(10)} ${ms(row.p99).padStart(10)} ${ms(row.max).padStart(10)}`),
  ];
}
