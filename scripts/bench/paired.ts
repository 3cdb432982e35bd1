// The paired section: what one feature costs in CPU per request, measured inside ONE strangler
// process. Between processes the plain strangler row differs from itself by up to 30 us per round
// on these VMs (the A/A control row), so bars of a few us cannot be read there. Here the feature is
// switched on and off by reload (routes.yaml rewritten, POST /reload) in the same process, and the
// two sides alternate in short windows at the same fixed rate (on/off, then off/on: drift cancels),
// each measured as the CPU section measures a run (rate.ts cpuPerRequest). Per cycle: on minus
// off; the row gives the median of those. An A/A pair (the same config reloaded) gives this
// method's own noise on the day.
import { writeFileSync } from 'node:fs';
import { median } from '../lib/stats.js';
import { cpuPerRequest } from './rate.js';
import { SCENARIOS } from './routes.js';
import { stranglerRoutesYaml, type StranglerConfigOptions } from './strangler-config.js';
import { fmtNum as fmt, grid } from './stats.js';
import { recording, stranglerTarget, tracing, type BenchContext } from './targets.js';

/** After each reload, this long at the rate before the window is measured. */
export const SETTLE_MS = 300;

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
  { key: 'trace-1', name: 'tracing, sampleRatio 1.0', barUs: 40, config: tracing(1) },
  { key: 'record', name: 'record 100% of the route', barUs: 15, config: recording },
];

export interface PairedRow {
  readonly key: string;
  readonly name: string;
  readonly barUs: number | null;
  readonly offUs: readonly number[];
  readonly onUs: readonly number[];
  /** Per cycle, on minus off. */
  readonly diffUs: readonly number[];
  readonly errors: number;
}

export interface PairedSection {
  readonly opts: PairedOptions;
  readonly rows: readonly PairedRow[];
}

export async function runPairedSection(opts: PairedOptions, ctx: BenchContext, features: readonly Feature[] = PAIRED_FEATURES): Promise<PairedSection> {
  const scenario = SCENARIOS.find((s) => s.name === 'small')!;
  const running = await stranglerTarget({ key: 'strangler-paired', name: 'strangler (paired)' }).start(ctx);
  const reload = async (extra: Extra): Promise<void> => {
    writeFileSync(running.configFile, stranglerRoutesYaml({ upstreamUrl: ctx.upstreamUrl, ...extra }));
    const res = await fetch(`${running.admin}/reload`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
    if (res.status !== 200) throw new Error(`paired: POST /reload answered ${res.status}: ${await res.text()}`);
  };
  const window = { rate: opts.rate, durationS: opts.windowMs / 1000, warmupS: SETTLE_MS / 1000, rounds: 1, connections: opts.connections };
  const rows: PairedRow[] = [];
  try {
    await cpuPerRequest(running, scenario, { ...window, durationS: 2 }, ctx); // warm-up: the JIT, the pools
    for (const f of features) {
      const { config: on } = await f.config(ctx);
      const offUs: number[] = [], onUs: number[] = [], diffUs: number[] = [];
      let errors = 0;
      const measure = async (side: 'on' | 'off'): Promise<number> => {
        await reload(side === 'on' ? on : {});
        const { r, usPerReq } = await cpuPerRequest(running, scenario, window, ctx);
        errors += r.errors + r.timeouts + r.non2xx + r.wrongBody;
        return usPerReq;
      };
      for (let c = 0; c < opts.cycles; c++) {
        const [a, b] = c % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
        const first = await measure(a);
        const second = await measure(b);
        const [onV, offV] = a === 'on' ? [first, second] : [second, first];
        onUs.push(onV);
        offUs.push(offV);
        diffUs.push(onV - offV);
        if (c % 4 === 3 || c === opts.cycles - 1) process.stderr.write(`[paired ${f.key} cycle ${c + 1}/${opts.cycles}] off ${fmt(offV, 1)} us/req, on ${fmt(onV, 1)} us/req, on - off ${fmt(onV - offV, 1)} us\n`);
      }
      rows.push({ key: f.key, name: f.name, barUs: f.barUs, offUs, onUs, diffUs, errors });
    }
    await reload({});
  } finally {
    await running.stop();
  }
  return { opts, rows };
}

/** The section's table and its bar lines. */
export function renderPaired(s: PairedSection): string {
  const aa = s.rows.find((r) => r.key === 'aa');
  const noise = aa ? Math.max(...aa.diffUs.map(Math.abs)) : undefined;
  const title = `PAIRED (${s.opts.rate} req/s, ${s.opts.cycles} cycles of two ${s.opts.windowMs} ms windows, on/off order alternating)`;
  const table = grid(
    title,
    ['feature (one process, reload-switched)', 'off us/req', 'on us/req', 'on - off (median)', 'per cycle', 'bar'],
    s.rows.map((r) => [
      r.name,
      fmt(median(r.offUs), 1),
      fmt(median(r.onUs), 1),
      `${median(r.diffUs) >= 0 ? '+' : ''}${fmt(median(r.diffUs), 1)} us`,
      `${fmt(Math.min(...r.diffUs), 1)}..${fmt(Math.max(...r.diffUs), 1)}`,
      r.barUs === null ? '-' : `<= +${r.barUs} us: ${median(r.diffUs) <= r.barUs ? 'PASS' : 'FAIL'}`,
    ]),
  );
  return `${table}\n` +
    (noise === undefined ? '' : `A/A control: the largest single-cycle difference was ${fmt(noise, 1)} us\n`) +
    (s.rows.some((r) => r.errors > 0) ? `errors: ${s.rows.map((r) => `${r.key} ${r.errors}`).join(', ')}\n` : '');
}
