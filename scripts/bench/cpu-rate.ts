// The CPU-per-request section: each target at one fixed, non-saturating rate (open loop, small
// body), its own CPU time (user + sys of its process group: for nginx, master and worker) over
// the measured window divided by the requests answered in it. Closed-loop req/s swings up to 2x
// between rounds on a 2-core machine; CPU per request at a fixed rate is steadier.
import { median } from '../lib/stats.js';
import { measureAtRate, rateNotes, type RateOptions } from './rate.js';
import type { BarCheck } from './report.js';
import { SCENARIOS } from './routes.js';
import { eachRun, log, noteOf } from './runner.js';
import { fmtNum, grid } from './stats.js';
import { BARE_KEY, type BenchContext, type Target } from './targets.js';
/** Issue 10's bars: CPU per request at most this many times the bare forwarder's. */
const CPU_BARS = [['strangler', 1.15], ['strangler-policies', 1.2]] as const;

interface CpuSample { readonly usPerReq: number; readonly cpuPct: number; readonly achievedRps: number; readonly errors: number }
export interface CpuRow { readonly key: string; readonly target: string; readonly samples: readonly CpuSample[]; readonly note?: string | undefined }
export interface CpuSection { readonly opts: RateOptions; readonly rows: readonly CpuRow[] }

export async function runCpuSection(o: RateOptions, targets: readonly Target[], ctx: BenchContext): Promise<CpuSection> {
  const scenario = SCENARIOS.find((s) => s.name === 'small')!;
  const cells = targets.map((target) => ({ target, samples: [] as CpuSample[], notes: [] as string[] }));
  await eachRun('cpu ', o.rounds, cells, ctx, (c, msg) => c.notes.push(msg), async (c, running, tag) => {
    const { r, procCpuS, wallS } = await measureAtRate(running, scenario, o, ctx);
    if (procCpuS === undefined) throw new Error('no CPU time for the target process group (no /proc?)');
    // The requests due in the window that were answered, scaled to the window actually measured.
    const requests = (r.answered * wallS) / o.durationS;
    const s: CpuSample = {
      usPerReq: (procCpuS * 1e6) / requests, cpuPct: (100 * procCpuS) / wallS,
      achievedRps: r.achievedRps, errors: r.errors + r.timeouts + r.non2xx + r.wrongBody,
    };
    c.samples.push(s);
    c.notes.push(...rateNotes(r, o).filter((n) => !n.startsWith('generator lagged')));   // late sends cost no CPU
    log(`${tag} ${s.achievedRps.toFixed(0).padStart(5)} req/s  cpu ${s.usPerReq.toFixed(1)} us/req (${s.cpuPct.toFixed(0)}% of a core)  errors ${s.errors}`);
  });
  return {
    opts: o,
    rows: cells.map((c) => ({ key: c.target.key, target: c.target.name, samples: c.samples, note: noteOf(c.notes) })),
  };
}

const us = (r: CpuRow | undefined) => (r?.samples.length ? median(r.samples.map((s) => s.usPerReq)) : undefined);
const spread = (xs: readonly number[], d: number, unit = '') =>
  xs.length > 1 ? `${fmtNum(Math.min(...xs), d)}-${fmtNum(Math.max(...xs), d)}${unit}` : xs.length ? fmtNum(xs[0], d) + unit : '-';

export function renderCpuTable(c: CpuSection): string {
  const bare = us(c.rows.find((r) => r.key === BARE_KEY));
  const lines = c.rows.map((r) => {
    const u = us(r);
    return [
      r.target, fmtNum(r.samples.length ? median(r.samples.map((s) => s.achievedRps)) : undefined, 0), fmtNum(u, 1),
      spread(r.samples.map((s) => s.usPerReq), 1), u !== undefined && bare ? `${(u / bare).toFixed(2)}x` : '-',
      fmtNum(r.samples.length ? median(r.samples.map((s) => s.cpuPct)) : undefined, 0),
      r.samples.length ? String(r.samples.reduce((a, s) => a + s.errors, 0)) : '-', r.note ?? '',
    ];
  });
  const o = c.opts;
  return grid(`CPU per request at a fixed ${o.rate.toLocaleString('en-US')} req/s, small body (open loop, ${o.durationS} s measured ` +
    `per run after ${o.warmupS} s, ${o.rounds} round${o.rounds === 1 ? '' : 's'}; median, and lowest-highest round)`,
  ['target', 'req/s', 'cpu us/req', 'per round', 'vs bare', 'cpu %core', 'errors', 'note'], lines);
}

export function cpuBarChecks(c: CpuSection): BarCheck[] {
  const row = (k: string) => c.rows.find((r) => r.key === k);
  const bare = row(BARE_KEY);
  return CPU_BARS.map(([key, max]) => {
    const r = row(key);
    const name = r?.target ?? key;
    const label = `${name} <= ${max}x bare (CPU per request at ${c.opts.rate} req/s):`;
    const [u, b] = [us(r), us(bare)];
    if (u === undefined || !b) return { line: `${label} n/a (${u === undefined ? r?.note ?? 'not run' : bare?.note ?? 'bare not run'})` };
    // Rounds interleave the targets: the ratio within each round shows how much of it is noise.
    const perRound = r!.samples.map((s, i) => bare!.samples[i] && s.usPerReq / bare!.samples[i]!.usPerReq).filter((x): x is number => !!x);
    const x = u / b;
    return { line: `${label} ${x <= max ? 'PASS' : 'FAIL'} (${x.toFixed(3)}x; per round ${spread(perRound, 2, 'x')})`, pass: x <= max };
  });
}

export function cpuJson(c: CpuSection): unknown {
  return { options: c.opts, rows: c.rows.map((r) => ({ ...r, usPerReq: us(r) ?? null })), barChecks: cpuBarChecks(c) };
}
