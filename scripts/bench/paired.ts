// The paired section: what one feature costs in CPU per request, read where the CPU section cannot
// (there, the plain strangler row differs from itself by up to 30 us per round on these VMs).
// Two strangler processes share the proxy core and are loaded AT ONCE, each at the CPU section's
// rate, over the same windows: what the machine does meanwhile (another tenant, a frequency
// step) falls on both alike. One runs with the feature, the other without (switched by reload:
// routes.yaml rewritten, POST /reload), and they swap sides halfway, so what differs between the
// two processes cancels too. Each window is measured as the CPU section measures a run (rate.ts).
// Per window: on minus off; the row gives pairedEstimate of those. An A/A pair (the same config
// on both) gives the method's own noise on the day. The difference is also split: the processes'
// main threads (the event loop: the request path) and the rest (V8's GC and compiler threads,
// worker threads such as tracing's exporter), read from each thread's schedstat.
import { writeFileSync } from 'node:fs';
import { median } from '../lib/stats.js';
import { cpuPerRequestTogether, failedAnswers } from './rate.js';
import { SCENARIOS } from './routes.js';
import { stranglerRoutesYaml, type StranglerConfigOptions } from './strangler-config.js';
import { fmtNum as fmt, grid } from './stats.js';
import { recording, startTarget, stranglerTarget, tracing, type BenchContext, type RunningStrangler } from './targets.js';

/** After each reload, this long at the rate before the window is measured. */
export const SETTLE_MS = 300;
/** Before the first window, both processes this long at the rate: the JIT settles first (the
 *  first cycles of a shorter warm-up read tens of us apart in the A/A row). */
const WARMUP_S = 6;
/** After the feature is switched (each half), this long at the rate before the first window: a
 *  row is a feature's steady cost, so what switching costs once is left out. Tracing, turned on,
 *  starts its export thread and compiles its first exports (about 0.25 s of CPU over the first
 *  exports, 5 s apart); turned off, it flushes and stops the thread. With 2 s here, that landed
 *  in the first windows of each half (a window at +23 us in the 0.01 row, against +1 to +9 after). */
export const SWITCH_S = 12;

const half = (cycles: number): number => Math.ceil(cycles / 2);

/** The row's figure: the mean of the two halves' median differences (each half has the feature
 *  in the other process, so a difference between the processes themselves cancels). */
export function pairedEstimate(diffUs: readonly number[]): number {
  const h = half(diffUs.length);
  return h === diffUs.length ? median(diffUs) : (median(diffUs.slice(0, h)) + median(diffUs.slice(h))) / 2;
}

type Measured = Awaited<ReturnType<typeof cpuPerRequestTogether>>[number];

export interface PairedOptions {
  readonly rate: number;
  readonly windowMs: number;
  readonly cycles: number;
  readonly connections: number;
}

type Extra = Omit<StranglerConfigOptions, 'upstreamUrl'>;

interface Feature {
  readonly key: string;
  readonly name: string;
  /** The issue's bar, in us of CPU per request over the feature off (null: none). */
  readonly barUs: number | null;
  /** The CPU section's own row config for the feature (targets.ts). */
  readonly config: (ctx: BenchContext) => Promise<{ config: Extra }>;
}

export const PAIRED_FEATURES: readonly Feature[] = [
  { key: 'aa', name: 'A/A control (the same config)', barUs: null, config: async () => ({ config: {} }) },
  { key: 'trace-001', name: 'tracing, sampleRatio 0.01', barUs: 3, config: tracing(0.01) },
  { key: 'trace-0', name: 'tracing, sampleRatio 0', barUs: null, config: tracing(0) },
  { key: 'trace-1', name: 'tracing, sampleRatio 1.0', barUs: 40, config: tracing(1) },
  { key: 'record', name: 'record 100% of the route', barUs: 15, config: recording },
];

export interface PairedRow {
  readonly key: string;
  readonly name: string;
  readonly barUs: number | null;
  readonly offUs: readonly number[];
  readonly onUs: readonly number[];
  /** Per window, on minus off. */
  readonly diffUs: readonly number[];
  /** Per window, on minus off, of the main threads alone (shorter than diffUs where some window's were not known). */
  readonly mainDiffUs: readonly number[];
  readonly errors: number;
}

export interface PairedSection {
  readonly opts: PairedOptions;
  readonly rows: readonly PairedRow[];
}

export async function runPairedSection(opts: PairedOptions, ctx: BenchContext, features: readonly Feature[] = PAIRED_FEATURES): Promise<PairedSection> {
  const scenario = SCENARIOS.find((s) => s.name === 'small')!;
  const target = stranglerTarget({ key: 'strangler-paired', name: 'strangler (paired)' });
  const pair: RunningStrangler[] = [];
  const reload = async (running: RunningStrangler, extra: Extra): Promise<void> => {
    writeFileSync(running.configFile, stranglerRoutesYaml({ upstreamUrl: ctx.upstreamUrl, ...extra }));
    const res = await fetch(`${running.admin}/reload`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
    if (res.status !== 200) throw new Error(`paired: POST /reload answered ${res.status}: ${await res.text()}`);
  };
  // Each process at the full rate: the figures are per request at the rate the bars name.
  const window = { rate: opts.rate, durationS: opts.windowMs / 1000, warmupS: SETTLE_MS / 1000, rounds: 1, connections: opts.connections };
  const rows: PairedRow[] = [];
  try {
    for (let i = 0; i < 2; i++) pair.push(await startTarget(target, ctx));
    const [a, b] = pair as [RunningStrangler, RunningStrangler];
    await cpuPerRequestTogether([a, b], scenario, { ...window, durationS: WARMUP_S }, ctx); // warm-up: the JIT, the pools
    for (const f of features) {
      const { config: on } = await f.config(ctx);
      const offUs: number[] = [], onUs: number[] = [], diffUs: number[] = [], mainDiffUs: number[] = [];
      let errors = 0;
      // The feature runs in one process for the first half of the cycles and in the other for the
      // second (so what it does every few seconds, an export, is inside the windows too).
      for (let c = 0; c < opts.cycles; c++) {
        if (c === 0 || c === half(opts.cycles)) {
          const [onP, offP] = c === 0 ? [a, b] : [b, a];
          await Promise.all([reload(onP, on), reload(offP, {})]);
          await cpuPerRequestTogether([onP, offP], scenario, { ...window, durationS: SWITCH_S }, ctx); // after the reload
        }
        const [onP, offP] = c < half(opts.cycles) ? [a, b] : [b, a];
        const [m1, m2] = (await cpuPerRequestTogether([onP, offP], scenario, window, ctx)) as [Measured, Measured];
        errors += failedAnswers(m1.r) + failedAnswers(m2.r);
        onUs.push(m1.usPerReq);
        offUs.push(m2.usPerReq);
        diffUs.push(m1.usPerReq - m2.usPerReq);
        if (m1.mainUsPerReq !== undefined && m2.mainUsPerReq !== undefined) mainDiffUs.push(m1.mainUsPerReq - m2.mainUsPerReq);
        if (c % 4 === 3 || c === opts.cycles - 1) process.stderr.write(`[paired ${f.key} cycle ${c + 1}/${opts.cycles}] off ${fmt(m2.usPerReq, 1)} us/req, on ${fmt(m1.usPerReq, 1)} us/req, on - off ${fmt(m1.usPerReq - m2.usPerReq, 1)} us\n`);
      }
      rows.push({ key: f.key, name: f.name, barUs: f.barUs, offUs, onUs, diffUs, mainDiffUs, errors });
    }
  } finally {
    await Promise.all(pair.map((p) => p.stop()));
  }
  return { opts, rows };
}

const signedUs = (d: number): string => `${d >= 0 ? '+' : ''}${fmt(d, 1)} us`;

/** Where a row's difference was spent: the main threads' and the other threads', each the
 *  pairedEstimate of its own per-window differences (so the two need not add up to the row's
 *  figure exactly); '-' where the main threads were not measured. */
export function threadSplit(r: Pick<PairedRow, 'diffUs' | 'mainDiffUs'>): string {
  if (r.mainDiffUs.length === 0 || r.mainDiffUs.length !== r.diffUs.length) return '-';
  const rest = r.diffUs.map((d, i) => d - r.mainDiffUs[i]!);
  return `${signedUs(pairedEstimate(r.mainDiffUs))} / ${signedUs(pairedEstimate(rest))}`;
}

/** The section's table and its bar lines. */
export function renderPaired(s: PairedSection): string {
  const aa = s.rows.find((r) => r.key === 'aa');
  const noise = aa ? Math.max(...aa.diffUs.map(Math.abs)) : undefined;
  const title = `PAIRED (two processes at ${s.opts.rate} req/s each, loaded together; ${s.opts.cycles} windows of ${s.opts.windowMs} ms, the feature in one process for the first half, in the other for the second)`;
  const table = grid(
    title,
    ['feature (reload-switched)', 'off us/req', 'on us/req', 'on - off', 'main thread / rest', 'per window', 'bar'],
    s.rows.map((r) => {
      const d = pairedEstimate(r.diffUs);
      return [
        r.name,
        fmt(median(r.offUs), 1),
        fmt(median(r.onUs), 1),
        signedUs(d),
        threadSplit(r),
        `${fmt(Math.min(...r.diffUs), 1)}..${fmt(Math.max(...r.diffUs), 1)}`,
        r.barUs === null ? '-' : `<= +${r.barUs} us: ${d <= r.barUs ? 'PASS' : 'FAIL'}`,
      ];
    }),
  );
  return `${table}\n` +
    (noise === undefined ? '' : `A/A control: the largest single-cycle difference was ${fmt(noise, 1)} us\n`) +
    (s.rows.some((r) => r.errors > 0) ? `errors: ${s.rows.map((r) => `${r.key} ${r.errors}`).join(', ')}\n` : '');
}
