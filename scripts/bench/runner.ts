// The measurement loop: rounds x targets (interleaved, order rotated each round) x scenarios,
// each target started fresh per round, checked, warmed up, measured, stopped. eachRun is the
// loop itself, shared with the fixed-rate and CPU-per-request sections.
import type { BenchOptions } from './args.js';
import { cpuMeter } from '../lib/cpu.js';
import type { LoadRunner } from './load.js';
import type { Scenario } from './routes.js';
import { summarize, type Sample } from './stats.js';
import type { ScenarioResult } from './report.js';
import { startTarget, type BenchContext, type RunningTarget, type Target } from './targets.js';
import { fetchTrusting } from '../lib/fetch-trusting.js';

export const log = (s: string) => process.stderr.write(s + '\n');
export const pct = (x: number | undefined) => (x === undefined ? '-' : `${x.toFixed(0)}%`);
const firstLine = (s: string) => s.split('\n')[0]!.slice(0, 120);
/** The distinct notes of a row, or undefined. */
export const noteOf = (notes: readonly string[]) => [...new Set(notes)].join('; ') || undefined;

/** Each round, each available target in rotated order: start it, `run` it, stop it; failures become notes. */
export async function eachRun<D extends { readonly target: Target }>(
  label: string, rounds: number, defs: readonly D[], ctx: BenchContext,
  note: (d: D, msg: string) => void,
  run: (d: D, running: RunningTarget, tag: string) => Promise<void>,
): Promise<void> {
  const runnable = defs.filter((d) => {
    const why = d.target.unavailable?.() ?? null;
    if (why) { log(`skip ${d.target.name}: ${why}`); note(d, why); }
    return !why;
  });
  // Each round starts a stride further into the list, so that every target runs early, midway and
  // late in some round: a drift within a round (the machine warming, the upstream's heap growing)
  // then spreads over every row instead of always weighing on the last ones.
  const stride = Math.max(1, Math.ceil(runnable.length / rounds));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < runnable.length; i++) {
      const d = runnable[(i + round * stride) % runnable.length]!;
      const tag = `[${label}round ${round + 1}/${rounds}] ${d.target.name.padEnd(32)}`;
      let running: RunningTarget;
      try {
        running = await startTarget(d.target, ctx);
      } catch (err) {
        log(`${tag} start failed: ${(err as Error).message}`);
        note(d, `start failed: ${firstLine((err as Error).message)}`);
        continue;
      }
      try {
        await run(d, running, tag);
      } catch (err) {
        log(`${tag} ${(err as Error).message}`);
        note(d, firstLine((err as Error).message));
      } finally {
        await running.stop();
      }
    }
  }
}

interface Cell { samples: Sample[]; notes: string[] }

export async function runRounds(
  opts: BenchOptions, targets: readonly Target[], scenarios: readonly Scenario[], ctx: BenchContext, load: LoadRunner,
): Promise<ScenarioResult[]> {
  const cells = new Map<string, Cell>();
  const cell = (t: Target, s: Scenario) => {
    const k = `${t.key}\0${s.name}`;
    let c = cells.get(k);
    if (!c) cells.set(k, (c = { samples: [], notes: [] }));
    return c;
  };
  const loadOpts = { connections: opts.connections, cpu: ctx.pinning.loadCpu };
  await eachRun('', opts.rounds, targets.map((target) => ({ target })), { ...ctx, closedLoop: true },
    (d, msg) => { for (const s of scenarios) cell(d.target, s).notes.push(msg); },
    async ({ target: t }, running, tag) => {
      for (const s of scenarios) {
        const url = running.url + s.path;
        const wrong = await wrongAnswer(url, s);
        if (wrong) {
          log(`${tag} ${s.name}: ${wrong}`);
          cell(t, s).notes.push(wrong);
          continue;
        }
        if (opts.warmupS > 0) await load.run(url, { ...loadOpts, durationS: opts.warmupS });
        const stop = cpuMeter(running.pgid);
        const res = await load.run(url, { ...loadOpts, durationS: opts.durationS });
        const m = stop();
        const r: Sample = {
          ...res,
          targetProcCpuPct: m.procCpuS === undefined ? undefined : (100 * m.procCpuS) / m.wallS,
          targetCoreBusyPct: m.busy(ctx.pinning.proxyCpu),
          loadCoreBusyPct: m.busy(ctx.pinning.loadCpu),
        };
        const other = interference(r);
        if (other !== undefined && other > 10) cell(t, s).notes.push('other processes on the target core');
        cell(t, s).samples.push(r);
        if (r.errors || r.non2xx) cell(t, s).notes.push('had errors or non-2xx answers');
        log(`${tag} ${s.name.padEnd(5)} ` +
          `${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms` +
          `  cpu: target ${pct(r.targetProcCpuPct)}, core ${pct(r.targetCoreBusyPct)}, load core ${pct(r.loadCoreBusyPct)}` +
          (r.errors || r.non2xx ? `  errors ${r.errors} non-2xx ${r.non2xx}` : ''));
      }
    });
  return scenarios.map((s) => ({
    scenario: s,
    rows: targets.map((t) => {
      const c = cell(t, s);
      return summarize(t.key, t.name, c.samples, noteOf(c.notes));
    }),
  }));
}

/** Share of the target's core used by processes other than the target (e.g. other jobs on the machine). */
export function interference(r: Sample): number | undefined {
  return r.targetCoreBusyPct === undefined || r.targetProcCpuPct === undefined ? undefined : r.targetCoreBusyPct - r.targetProcCpuPct;
}

/** A proxy that answers the wrong thing fast would win the bench: check status and body size first. */
export async function wrongAnswer(url: string, s: Scenario, caFile?: string, headers?: Readonly<Record<string, string>>): Promise<string | null> {
  try {
    const res = await fetchTrusting(url, caFile, { signal: AbortSignal.timeout(5000), ...(headers ? { headers } : {}) });
    const body = await res.arrayBuffer();
    if (res.status !== 200 || body.byteLength !== s.bodyBytes) {
      return `wrong answer: HTTP ${res.status}, ${body.byteLength} B (expected 200, ${s.bodyBytes} B)`;
    }
    return null;
  } catch (err) {
    return `no answer: ${(err as Error).message}`;
  }
}
