// The paired ratios: issue 10's ratio bars (strangler, and strangler with retry/breaker, against
// the bare forwarder), read the way the paired section reads a feature. The CPU section starts
// each target afresh, warms it for 1 s and measures it alone, a round apart from its base: on
// these VMs the same strangler config read up to 24 us apart that way (its A/A row), and the
// first seconds are the JIT's. Here the row and its base run together: both started, loaded at
// once at the CPU section's rate for RATIO_WARMUP_S, then measured over the same windows, so what
// the machine does meanwhile falls on both. Per window: the ratio of the two processes' CPU per
// request; a row gives the median.
//
// Only pairs whose load is alike: issue 12's TLS rows against plain strangler read 0.76x (HTTPS)
// and 0.87x (h2) this way, against 1.14x and 1.57x measured alone. Their generator's TLS client
// shares the load core with the plain one and the upstream, and so sends in another rhythm (more
// requests per read), which is not what the bar compares. Those bars stay in the CPU section.
import { median } from '../lib/stats.js';
import { SETTLE_MS } from './paired.js';
import { CPU_BARS, cpuPerRequestTogether, failedAnswers, rateNotes } from './rate.js';
import type { BarCheck } from './report.js';
import { SCENARIOS } from './routes.js';
import { fmtNum as fmt, grid } from './stats.js';
import { BARE_KEY, TARGETS, type BenchContext, type RunningTarget } from './targets.js';

/** Both targets at the rate this long before the first window: past the JIT's first compiles. */
export const RATIO_WARMUP_S = 10;
/** Windows per row. */
export const RATIO_WINDOWS = 16;

export interface RatioPair {
  readonly key: string;
  readonly base: string;
  /** The bar: the row's CPU per request at most this many times the base's. */
  readonly max: number;
}

/** The CPU section's ratio bars against the bare forwarder (rate.ts CPU_BARS), read paired. */
export const RATIO_PAIRS: readonly RatioPair[] = CPU_BARS.map(([key, max]) => ({ key, base: BARE_KEY, max }));

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
   *  many of the runs (two per window). Each window's generator is a fresh process. */
  readonly notes: readonly string[];
  /** Why it did not run (a target unavailable here), or undefined. */
  readonly skipped?: string;
}

const nameOf = (key: string): string => TARGETS.find((t) => t.key === key)?.name ?? key;
const ratios = (r: RatioRow): number[] => r.rowUs.map((u, i) => u / r.baseUs[i]!);

export async function runPairedRatios(o: RatioOptions, ctx: BenchContext, pairs: readonly RatioPair[] = RATIO_PAIRS): Promise<RatioRow[]> {
  const scenario = SCENARIOS.find((s) => s.name === 'small')!;
  const window = { rate: o.rate, durationS: o.windowMs / 1000, warmupS: SETTLE_MS / 1000, rounds: 1, connections: o.connections };
  const rows: RatioRow[] = [];
  for (const pair of pairs) {
    const [row, base] = [TARGETS.find((t) => t.key === pair.key)!, TARGETS.find((t) => t.key === pair.base)!];
    const unavailable = row.unavailable?.() ?? base.unavailable?.() ?? null;
    if (unavailable) {
      rows.push({ pair, rowUs: [], baseUs: [], errors: 0, notes: [], skipped: unavailable });
      continue;
    }
    const running: RunningTarget[] = [];
    try {
      running.push(await row.start(ctx), await base.start(ctx));
      await cpuPerRequestTogether(running, scenario, { ...window, durationS: RATIO_WARMUP_S }, ctx);
      const rowUs: number[] = [], baseUs: number[] = [];
      let errors = 0;
      const notes = new Map<string, number>();
      for (let w = 0; w < o.windows; w++) {
        const [a, b] = await cpuPerRequestTogether(running, scenario, window, ctx);
        rowUs.push(a!.usPerReq);
        baseUs.push(b!.usPerReq);
        for (const m of [a!, b!]) {
          errors += failedAnswers(m.r);
          for (const note of rateNotes(m.r, window).map((n) => n.replace(/ \(.*\)$/, ''))) notes.set(note, (notes.get(note) ?? 0) + 1);
        }
        if (w % 4 === 3) process.stderr.write(`[paired ratio ${pair.key}/${pair.base} window ${w + 1}/${o.windows}] ${fmt(a!.usPerReq, 1)} / ${fmt(b!.usPerReq, 1)} us/req = ${(a!.usPerReq / b!.usPerReq).toFixed(2)}x\n`);
      }
      rows.push({ pair, rowUs, baseUs, errors, notes: [...notes].map(([n, k]) => `${n} (${k} of ${2 * o.windows} runs)`) });
    } finally {
      await Promise.all(running.map((r) => r.stop()));
    }
  }
  return rows;
}

export function renderPairedRatios(rows: readonly RatioRow[], o: RatioOptions): string {
  const title = `PAIRED RATIOS (each row and its base loaded together at ${o.rate} req/s each after ${RATIO_WARMUP_S} s together; ${o.windows} windows of ${o.windowMs} ms; median of the per-window ratios)`;
  return grid(title, ['row', 'base', 'row us/req', 'base us/req', 'ratio', 'per window', 'errors', 'note'], rows.map((r) => {
    if (r.skipped !== undefined) return [nameOf(r.pair.key), nameOf(r.pair.base), '-', '-', '-', '-', '-', `not run: ${r.skipped}`];
    const x = ratios(r);
    return [nameOf(r.pair.key), nameOf(r.pair.base), fmt(median(r.rowUs), 1), fmt(median(r.baseUs), 1), `${median(x).toFixed(3)}x`,
      `${Math.min(...x).toFixed(2)}-${Math.max(...x).toFixed(2)}x`, String(r.errors), r.notes.join('; ')];
  }));
}

export function pairedRatioChecks(rows: readonly RatioRow[]): BarCheck[] {
  return rows.map((r) => {
    const label = `${nameOf(r.pair.key)} <= ${r.pair.max}x ${nameOf(r.pair.base)} (paired, CPU per request):`;
    if (r.skipped !== undefined || r.rowUs.length === 0) return { line: `${label} n/a (${r.skipped ?? 'not run'})` };
    const x = median(ratios(r));
    const pass = x <= r.pair.max && r.errors === 0;
    return { line: `${label} ${pass ? 'PASS' : 'FAIL'} (${x.toFixed(3)}x${r.errors > 0 ? `; ${r.errors} errors` : ''})`, pass };
  });
}
