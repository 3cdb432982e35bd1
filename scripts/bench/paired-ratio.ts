// The paired ratios: issue 10's ratio bars (strangler, and strangler with retry/breaker, against
// the bare forwarder), read the way the paired section reads a feature. The CPU section starts
// each target afresh, warms it for 1 s and measures it alone, a round apart from its base: on
// these VMs the same strangler config read up to 24 us apart that way (its A/A row), and the
// first seconds are the JIT's. Here the row and its base run together: both started, loaded at
// once at the CPU section's rate for RATIO_WARMUP_S, then measured over the same windows, so what
// the machine does meanwhile falls on both. Per window: the ratio of the two processes' CPU per
// request; a row gives the median.
//
// Issue 12's TLS rows are read against plain strangler over windows of 6 s, and not loaded
// together: each process alone in turn (row, base, then base, row, ...), both kept running and
// warm, so that one generator at a time loads the load core. Together, that core ran the upstream
// for both and two generators, one of them TLS (a node:http2 client costs ~150 us per request):
// 97% busy (/proc/stat), so the generator fell behind and sent in bursts. Both errors followed:
// requests due in a window were answered after it (their CPU uncounted: the bare HTTP/2
// forwarder read 0.91x plain strangler that way), and HTTP/2 streams piled up inside the proxy
// (strangler held ~5,600 open, median 1 s, and V8 promoted them to its old space: 1.12x to 1.54x
// from run to run). Alone, the load core is ~60% busy. Each run's first 1.5 s are not measured:
// a fresh TLS generator's handshakes and first compiles. Every row notes how busy the load core
// was (its median over the row's runs), so a reading taken with that core saturated shows, how
// much CPU time the VM's host took (/proc/stat steal: on one afternoon both processes and their
// generators stalled together for whole windows as it grew), and what its failed answers were.
//
// Beside them, a reference row without a bar: the bare HTTP/2 forwarder (node:http2's stream API
// over TLS + undici, nothing else) against plain strangler, read the same way. It is the floor
// under the HTTP/2 bar: no HTTP/2 front door in Node costs less per request than it does.
import { median } from '../lib/stats.js';
import { SETTLE_MS } from './paired.js';
import { CPU_BARS, cpuPerRequestTogether, failedAnswers, rateNotes, TLS_BARS } from './rate.js';
import type { BarCheck } from './report.js';
import { SCENARIOS } from './routes.js';
import { fmtNum as fmt, grid } from './stats.js';
import { AA_KEY, BARE_H2_KEY, BARE_KEY, startTarget, STRANGLER_KEY, TARGETS, type BenchContext, type RunningTarget } from './targets.js';

/** Both targets at the rate this long before the first window: past the JIT's first compiles. */
export const RATIO_WARMUP_S = 10;
/** Windows per row. */
export const RATIO_WINDOWS = 16;

/** The TLS rows' window, and each run's first seconds left unmeasured (a fresh TLS generator's). */
export const TLS_RATIO_WINDOW_MS = 6000;
export const TLS_RATIO_SETTLE_S = 1.5;

export interface RatioPair {
  readonly key: string;
  readonly base: string;
  /** The bar: the row's CPU per request at most this many times the base's (absent: a reference
   *  row, read beside a bar, not judged). */
  readonly max?: number;
  /** Its own window, in ms (else the section's, --ratio-window-ms). */
  readonly windowMs?: number;
  /** Measured each alone in turn (ABBA), not loaded together (the TLS rows: see above). */
  readonly alone?: true;
}

/** The CPU section's ratio bars (rate.ts): against the bare forwarder, and TLS against plain
 *  strangler, read paired; then node:http2's floor (the bare HTTP/2 forwarder) against plain
 *  strangler: where the HTTP/2 bar lies against what node:http2 itself costs; then an A/A pair. */
export const RATIO_PAIRS: readonly RatioPair[] = [
  ...CPU_BARS.map(([key, max]) => ({ key, base: BARE_KEY, max })),
  ...TLS_BARS.map(([key, max]) => ({ key, base: STRANGLER_KEY, max, windowMs: TLS_RATIO_WINDOW_MS, alone: true as const })),
  { key: BARE_H2_KEY, base: STRANGLER_KEY, windowMs: TLS_RATIO_WINDOW_MS, alone: true },
  // The method's own resolution: the plain strangler again (the CPU section's A/A target) beside
  // plain strangler. A ratio above that is within this row's distance from 1.000x is no difference.
  { key: AA_KEY, base: STRANGLER_KEY },
];

/** A pair's window in ms. */
export const windowMsOf = (pair: RatioPair, o: Pick<RatioOptions, 'windowMs'>): number => pair.windowMs ?? o.windowMs;

/** About how long a pair's row takes, in seconds (for the bench's estimate). */
export function ratioPairSeconds(pair: RatioPair, o: Pick<RatioOptions, 'windowMs' | 'windows'>): number {
  const runs = pair.alone ? 2 : 1;
  const settleMs = pair.alone ? TLS_RATIO_SETTLE_S * 1000 : SETTLE_MS;
  return (o.windows * runs * (windowMsOf(pair, o) + settleMs + 700) + runs * RATIO_WARMUP_S * 1000 + 3000) / 1000;
}

export interface RatioOptions {
  readonly rate: number;
  readonly windowMs: number;
  readonly windows: number;
  readonly connections: number;
}

export interface RatioRow {
  readonly pair: RatioPair;
  readonly rowUs: readonly number[];
  readonly baseUs: readonly number[];
  readonly errors: number;
  /** What made a window's run suspect (errors, a generator that fell behind or lagged), with how
   *  many of the runs (two per window), and how busy the load core was. Each window's generator
   *  is a fresh process. */
  readonly notes: readonly string[];
  /** Why it did not run (a target unavailable here), or undefined. */
  readonly skipped?: string;
}

type Measured = Awaited<ReturnType<typeof cpuPerRequestTogether>>[number];

const nameOf = (key: string): string => TARGETS.find((t) => t.key === key)?.name ?? key;
const ratios = (r: RatioRow): number[] => r.rowUs.map((u, i) => u / r.baseUs[i]!);

export async function runPairedRatios(o: RatioOptions, ctx: BenchContext, pairs: readonly RatioPair[] = RATIO_PAIRS): Promise<RatioRow[]> {
  const scenario = SCENARIOS.find((s) => s.name === 'small')!;
  const rows: RatioRow[] = [];
  for (const pair of pairs) {
    const settleS = pair.alone ? TLS_RATIO_SETTLE_S : SETTLE_MS / 1000;
    const window = { rate: o.rate, durationS: windowMsOf(pair, o) / 1000, warmupS: settleS, rounds: 1, connections: o.connections };
    const [row, base] = [TARGETS.find((t) => t.key === pair.key)!, TARGETS.find((t) => t.key === pair.base)!];
    const unavailable = row.unavailable?.() ?? base.unavailable?.() ?? null;
    if (unavailable) {
      rows.push({ pair, rowUs: [], baseUs: [], errors: 0, notes: [], skipped: unavailable });
      continue;
    }
    const running: RunningTarget[] = [];
    try {
      running.push(await startTarget(row, ctx), await startTarget(base, ctx));
      const [r, b] = running as [RunningTarget, RunningTarget];
      // One window: both together, or each alone in turn (row first in even windows, base first in odd).
      const measure = async (w: number): Promise<[Measured, Measured]> => {
        if (!pair.alone) return (await cpuPerRequestTogether(running, scenario, window, ctx)) as [Measured, Measured];
        const got = new Map<RunningTarget, Measured>();
        for (const t of w % 2 === 0 ? [r, b] : [b, r]) got.set(t, (await cpuPerRequestTogether([t], scenario, window, ctx))[0]!);
        return [got.get(r)!, got.get(b)!];
      };
      const warm = { ...window, durationS: RATIO_WARMUP_S };
      if (pair.alone) for (const t of running) await cpuPerRequestTogether([t], scenario, warm, ctx);
      else await cpuPerRequestTogether(running, scenario, warm, ctx);
      const rowUs: number[] = [], baseUs: number[] = [];
      const loadBusy: number[] = [];
      const steal: number[] = [];
      let errors = 0;
      const notes = new Map<string, number>();
      const failures = new Map<string, number>();
      for (let w = 0; w < o.windows; w++) {
        const [a, b] = await measure(w);
        rowUs.push(a.usPerReq);
        baseUs.push(b.usPerReq);
        for (const m of [a, b]) {
          errors += failedAnswers(m.r);
          for (const [kind, n] of Object.entries(m.r.failures)) failures.set(kind, (failures.get(kind) ?? 0) + n);
          if (m.loadBusyPct !== undefined) loadBusy.push(m.loadBusyPct);
          if (m.stealPct !== undefined) steal.push(m.stealPct);
          for (const note of rateNotes(m.r, window).map((n) => n.replace(/ \(.*\)$/, ''))) notes.set(note, (notes.get(note) ?? 0) + 1);
        }
        if (w % 4 === 3) process.stderr.write(`[paired ratio ${pair.key}/${pair.base} window ${w + 1}/${o.windows}] ${fmt(a.usPerReq, 1)} / ${fmt(b.usPerReq, 1)} us/req = ${(a.usPerReq / b.usPerReq).toFixed(2)}x\n`);
      }
      const busyNote = loadBusy.length > 0 ? [`load core ${median(loadBusy).toFixed(0)}% busy`] : [];
      // (A VM's host taking CPU time away stalls the generators and the proxies at once.)
      if (steal.length > 0 && Math.max(...steal) >= 1) busyNote.push(`host took up to ${Math.max(...steal).toFixed(1)}% of CPU time (steal; median ${median(steal).toFixed(1)}%)`);
      const failNote = failures.size > 0 ? [`failed answers: ${[...failures].map(([kind, n]) => `${kind} ${n}`).join(', ')}`] : [];
      rows.push({ pair, rowUs, baseUs, errors, notes: [...busyNote, ...[...notes].map(([n, k]) => `${n} (${k} of ${2 * o.windows} runs)`), ...failNote] });
    } finally {
      await Promise.all(running.map((r) => r.stop()));
    }
  }
  return rows;
}

export function renderPairedRatios(rows: readonly RatioRow[], o: RatioOptions): string {
  const tls = rows.some((r) => r.pair.alone) ? `; the TLS rows and their reference each alone in turn, ${TLS_RATIO_WINDOW_MS} ms after ${TLS_RATIO_SETTLE_S} s` : '';
  const title = `PAIRED RATIOS (each row and its base loaded together at ${o.rate} req/s each after ${RATIO_WARMUP_S} s together; ${o.windows} windows of ${o.windowMs} ms${tls}; median of the per-window ratios)`;
  return grid(title, ['row', 'base', 'row us/req', 'base us/req', 'ratio', 'per window', 'errors', 'note'], rows.map((r) => {
    if (r.skipped !== undefined) return [nameOf(r.pair.key), nameOf(r.pair.base), '-', '-', '-', '-', '-', `not run: ${r.skipped}`];
    const x = ratios(r);
    return [nameOf(r.pair.key), nameOf(r.pair.base), fmt(median(r.rowUs), 1), fmt(median(r.baseUs), 1), `${median(x).toFixed(3)}x`,
      `${Math.min(...x).toFixed(2)}-${Math.max(...x).toFixed(2)}x`, String(r.errors), r.notes.join('; ')];
  }));
}

export function pairedRatioChecks(rows: readonly RatioRow[]): BarCheck[] {
  return rows.map((r) => {
    const max = r.pair.max;
    const label = max === undefined
      ? `reference, no bar: ${nameOf(r.pair.key)} / ${nameOf(r.pair.base)} (paired, CPU per request):`
      : `${nameOf(r.pair.key)} <= ${max}x ${nameOf(r.pair.base)} (paired, CPU per request):`;
    if (r.skipped !== undefined || r.rowUs.length === 0) return { line: `${label} n/a (${r.skipped ?? 'not run'})`, ...(max === undefined ? { reference: true as const } : {}) };
    const x = median(ratios(r));
    if (max === undefined) return { line: `${label} ${x.toFixed(3)}x${r.errors > 0 ? `; ${r.errors} errors` : ''}`, reference: true };
    const pass = x <= max && r.errors === 0;
    return { line: `${label} ${pass ? 'PASS' : 'FAIL'} (${x.toFixed(3)}x${r.errors > 0 ? `; ${r.errors} errors` : ''})`, pass };
  });
}
