// Medians across rounds, per target and scenario; the table layout every section prints.
import { median, medianOf } from '../lib/stats.js';
import type { LoadResult } from './load.js';

export interface Sample extends LoadResult {
  readonly targetProcCpuPct: number | undefined;  // CPU used by the target's own processes, % of one core
  readonly targetCoreBusyPct: number | undefined; // busy % of the target's core (any process)
  readonly loadCoreBusyPct: number | undefined;   // busy % of the load generator's core
}

export interface Row extends Partial<Pick<Sample, 'rps' | 'p50Ms' | 'p99Ms' | 'targetProcCpuPct' | 'targetCoreBusyPct' | 'loadCoreBusyPct'>> {
  readonly key: string;
  readonly target: string;
  readonly samples: readonly Sample[];
  readonly errors: number;       // socket errors + timeouts, all rounds
  readonly non2xx: number;       // all rounds
  readonly note?: string | undefined;        // why there is no number, or a failed round
  readonly rpsPerCore?: number | undefined;  // req/s per core of the target's own CPU use (efficiency)
}

export function summarize(key: string, target: string, samples: readonly Sample[], note: string | undefined): Row {
  const base = { key, target, samples, errors: samples.reduce((a, s) => a + s.errors, 0), non2xx: samples.reduce((a, s) => a + s.non2xx, 0), note };
  if (samples.length === 0) return base;
  return {
    ...base,
    rps: median(samples.map((s) => s.rps)),
    p50Ms: median(samples.map((s) => s.p50Ms)),
    p99Ms: median(samples.map((s) => s.p99Ms)),
    targetProcCpuPct: medianOf(samples.map((s) => s.targetProcCpuPct)),
    rpsPerCore: medianOf(samples.map((s) => (s.targetProcCpuPct ? (s.rps * 100) / s.targetProcCpuPct : undefined))),
    targetCoreBusyPct: medianOf(samples.map((s) => s.targetCoreBusyPct)),
    loadCoreBusyPct: medianOf(samples.map((s) => s.loadCoreBusyPct)),
  };
}

/** `keys` in this order, each the object's value or null (for the JSON output). */
export function withNulls(keys: readonly string[], o: object): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, (o as Record<string, unknown>)[k] ?? null]));
}

export const fmtNum = (n: number | undefined, digits: number) => (n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits));

/** A title and a table: first and last columns left-aligned, the rest right-aligned. */
export function grid(title: string, head: readonly string[], lines: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [title, row(head), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(row)].join('\n');
}
