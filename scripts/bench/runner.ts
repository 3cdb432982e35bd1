// The measurement loop: rounds x targets (interleaved, order rotated each round) x scenarios,
// each target started fresh per round, checked, warmed up, measured, stopped.
import type { BenchOptions } from './args.js';
import { busyPercent, cpuSnapshot, groupCpuSeconds } from './cpu-usage.js';
import type { LoadRunner } from './load.js';
import type { Scenario } from './routes.js';
import { summarize, type Sample } from './stats.js';
import type { ScenarioResult } from './report.js';
import type { BenchContext, Target } from './target.js';

const log = (s: string) => process.stderr.write(s + '\n');
const pct = (x: number | undefined) => (x === undefined ? '-' : `${x.toFixed(0)}%`);
const firstLine = (s: string) => s.split('\n')[0]!.slice(0, 120);

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
  const runnable: Target[] = [];
  for (const t of targets) {
    const why = t.unavailable?.() ?? null;
    if (why) {
      log(`skip ${t.name}: ${why}`);
      for (const s of scenarios) cell(t, s).notes.push(why);
    } else runnable.push(t);
  }
  const loadOpts = { connections: opts.connections, cpu: ctx.pinning.loadCpu };

  for (let round = 0; round < opts.rounds; round++) {
    const order = runnable.map((_, i) => runnable[(i + round) % runnable.length]!);
    for (const t of order) {
      let running;
      try {
        running = await t.start(ctx);
      } catch (err) {
        const msg = (err as Error).message;
        log(`[round ${round + 1}/${opts.rounds}] ${t.name}: start failed: ${msg}`);
        for (const s of scenarios) cell(t, s).notes.push(`start failed: ${firstLine(msg)}`);
        continue;
      }
      try {
        for (const s of scenarios) {
          const url = running.url + s.path;
          const wrong = await wrongAnswer(url, s);
          if (wrong) {
            log(`[round ${round + 1}/${opts.rounds}] ${t.name} ${s.name}: ${wrong}`);
            cell(t, s).notes.push(wrong);
            continue;
          }
          if (opts.warmupS > 0) await load.run(url, { ...loadOpts, durationS: opts.warmupS });
          const before = cpuSnapshot();
          const procBefore = groupCpuSeconds(running.pgid);
          const t0 = performance.now();
          const res = await load.run(url, { ...loadOpts, durationS: opts.durationS });
          const procAfter = groupCpuSeconds(running.pgid);
          const wallS = (performance.now() - t0) / 1000;
          const after = cpuSnapshot();
          const r: Sample = {
            ...res,
            targetProcCpuPct: procBefore !== undefined && procAfter !== undefined ? (100 * (procAfter - procBefore)) / wallS : undefined,
            targetCoreBusyPct: busyPercent(before, after, ctx.pinning.proxyCpu),
            loadCoreBusyPct: busyPercent(before, after, ctx.pinning.loadCpu),
          };
          const other = interference(r);
          if (other !== undefined && other > 10) cell(t, s).notes.push('other processes on the target core');
          cell(t, s).samples.push(r);
          if (r.errors || r.non2xx) cell(t, s).notes.push('had errors or non-2xx answers');
          log(`[round ${round + 1}/${opts.rounds}] ${t.name.padEnd(32)} ${s.name.padEnd(5)} ` +
            `${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms` +
            `  cpu: target ${pct(r.targetProcCpuPct)}, core ${pct(r.targetCoreBusyPct)}, load core ${pct(r.loadCoreBusyPct)}` +
            (r.errors || r.non2xx ? `  errors ${r.errors} non-2xx ${r.non2xx}` : ''));
        }
      } catch (err) {
        const msg = (err as Error).message;
        log(`[round ${round + 1}/${opts.rounds}] ${t.name}: ${msg}`);
        for (const s of scenarios) cell(t, s).notes.push(firstLine(msg));
      } finally {
        await running.stop();
      }
    }
  }
  return scenarios.map((s) => ({
    scenario: s,
    rows: targets.map((t) => {
      const c = cell(t, s);
      return summarize(t.key, t.name, c.samples, c.notes);
    }),
  }));
}

/** Share of the target's core used by processes other than the target (e.g. other jobs on the machine). */
export function interference(r: Sample): number | undefined {
  return r.targetCoreBusyPct === undefined || r.targetProcCpuPct === undefined ? undefined : r.targetCoreBusyPct - r.targetProcCpuPct;
}

/** A proxy that answers the wrong thing fast would win the bench: check status and body size first. */
export async function wrongAnswer(url: string, s: Scenario): Promise<string | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    const body = await res.arrayBuffer();
    if (res.status !== 200 || body.byteLength !== s.bodyBytes) {
      return `wrong answer: HTTP ${res.status}, ${body.byteLength} B (expected 200, ${s.bodyBytes} B)`;
    }
    return null;
  } catch (err) {
    return `no answer: ${(err as Error).message}`;
  }
}
