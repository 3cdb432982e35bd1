// Medians across rounds, per target and scenario; the table layout every section prints.
import type { LoadResult } from './load.js';

export interface Sample extends LoadResult {
  readonly targetProcCpuPct: number | undefined;  // CPU used by the target's own processes, % of one core
  readonly targetCoreBusyPct: number | undefined; // busy % of the target's core (any process)
  readonly loadCoreBusyPct: number | undefined;   // busy % of the load generator's core
}

export interface Row {
  readonly key: string;
  readonly target: string;
  readonly samples: readonly Sample[];
  readonly rps?: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  readonly targetProcCpuPct?: number;
  readonly rpsPerCore?: number;        // req/s per core of the target's own CPU use (efficiency)
  readonly targetCoreBusyPct?: number;
  readonly loadCoreBusyPct?: number;
  readonly errors: number;       // socket errors + timeouts, all rounds
  readonly non2xx: number;       // all rounds
  readonly note?: string;        // why there is no number, or a failed round
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function summarize(key: string, target: string, samples: readonly Sample[], notes: readonly string[]): Row {
  const note = [...new Set(notes)].join('; ') || undefined;
  const base = {
    key,
    target,
    samples,
    errors: samples.reduce((a, s) => a + s.errors, 0),
    non2xx: samples.reduce((a, s) => a + s.non2xx, 0),
    ...(note ? { note } : {}),
  };
  if (samples.length === 0) return base;
  return {
    ...base,
    rps: median(samples.map((s) => s.rps)),
    p50Ms: median(samples.map((s) => s.p50Ms)),
    p99Ms: median(samples.map((s) => s.p99Ms)),
    ...medianOf('targetProcCpuPct', samples.map((s) => s.targetProcCpuPct)),
    ...medianOf('rpsPerCore', samples.map((s) => (s.targetProcCpuPct ? (s.rps * 100) / s.targetProcCpuPct : undefined))),
    ...medianOf('targetCoreBusyPct', samples.map((s) => s.targetCoreBusyPct)),
    ...medianOf('loadCoreBusyPct', samples.map((s) => s.loadCoreBusyPct)),
  };
}

function medianOf<K extends string>(key: K, xs: readonly (number | undefined)[]): Partial<Record<K, number>> {
  const known = xs.filter((x): x is number => x !== undefined);
  return known.length ? ({ [key]: median(known) } as Partial<Record<K, number>>) : {};
}

export const fmtNum = (n: number | undefined, digits: number) => (n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits));

/** A title and a table: first and last columns left-aligned, the rest right-aligned. */
export function grid(title: string, head: readonly string[], lines: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [title, row(head), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(row)].join('\n');
}
