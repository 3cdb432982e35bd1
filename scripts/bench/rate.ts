// The fixed-rate (open-loop) section: strangler at a fixed request rate on the small body,
// without shadow, with shadow at 100% to a second bench upstream, and with shadow at 100% to an
// upstream that answers after 2 s. The question is not throughput but whether mirroring touches
// the primary's latency: the issue's bar is the shadow rows' p99 within 10% of the row without.
// Rows are interleaved per round (order rotated), strangler restarted for every run; the two
// shadow upstreams are started once, on the load core like the primary upstream.
import { startOpenLoop } from './load-open.js';
import { startNodeProgram } from './node-targets.js';
import type { OpenLoopOutput } from './open-loop.js';
import { SCENARIOS, type Scenario } from './routes.js';
import { cpuMeter, eachRun, log, pct, wrongAnswer } from './runner.js';
import { median } from './stats.js';
import { stranglerTarget } from './strangler-target.js';
import type { BenchContext, RunningTarget, Target } from './target.js';

export interface RateOptions {
  readonly rate: number;           // req/s
  readonly durationS: number;      // measured per run
  readonly warmupS: number;        // same rate before the measured window
  readonly rounds: number;
  readonly connections: number;
}

export const SLOW_SHADOW_DELAY_MS = 2000;
export const RATE_NO_SHADOW = 'rate-no-shadow';
export const RATE_SHADOW = 'rate-shadow';
export const RATE_SLOW_SHADOW = 'rate-shadow-slow';
const COUNT_PATH = '/__bench/requests';

export interface RateSample {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly achievedRps: number;
  readonly scheduled: number;
  readonly errors: number;                 // socket errors + timeouts + non-2xx + wrong body size
  readonly lagP99Ms: number;               // the generator's own lateness
  readonly targetProcCpuPct: number | undefined;
  readonly loadCoreBusyPct: number | undefined;
  readonly shadowRequests: number | undefined;   // requests that reached this row's shadow upstream during the run
  readonly sent: number;                   // requests sent during the run, warm-up included
}

export interface RateRow {
  readonly key: string;
  readonly target: string;
  readonly samples: readonly RateSample[];
  /** Percentiles over the latencies of all rounds together (more stable than a median of per-round p99s). */
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  readonly maxMs?: number;
  readonly p99MinMs?: number;              // per-round p99, lowest and highest: the noise
  readonly p99MaxMs?: number;
  readonly achievedRps?: number;           // median across rounds
  readonly targetProcCpuPct?: number;      // median across rounds
  readonly loadCoreBusyPct?: number;       // median across rounds
  readonly shadowPct?: number;             // shadow upstream requests / requests sent, all rounds
  readonly lagP99Ms?: number;              // median across rounds
  readonly errors: number;
  readonly note?: string;
}

export interface RateSection {
  readonly opts: RateOptions;
  readonly scenario: Scenario;
  readonly rows: readonly RateRow[];
}

interface RowDef {
  readonly target: Target;
  readonly shadowUrl?: string;             // the row's shadow upstream, for the request count
}

const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));

async function requestCount(base: string): Promise<number | undefined> {
  try {
    const res = await fetch(base + COUNT_PATH, { signal: AbortSignal.timeout(3000) });
    return ((await res.json()) as { requests: number }).requests;
  } catch {
    return undefined;
  }
}

/** One open-loop run against a started target (answer checked first); the target's CPU over the measured window. */
export async function measureAtRate(running: RunningTarget, scenario: Scenario, o: RateOptions, ctx: BenchContext) {
  const url = running.url + scenario.path;
  const wrong = await wrongAnswer(url, scenario);
  if (wrong) throw new Error(wrong);
  const gen = startOpenLoop(url, {
    rate: o.rate, durationS: o.durationS, warmupS: o.warmupS, connections: o.connections,
    expectBytes: scenario.bodyBytes, cpu: ctx.pinning.loadCpu,
  });
  gen.done.catch(() => {});             // awaited below; no unhandled rejection meanwhile
  await sleepUntil(gen.windowStart);
  const stop = cpuMeter(running.pgid);
  await sleepUntil(gen.windowEnd);
  const m = stop();
  return { r: await gen.done, ...m };
}

/** What makes a fixed-rate run suspect. */
export function rateNotes(r: OpenLoopOutput, o: RateOptions): string[] {
  const notes: string[] = [];
  if (r.errors + r.timeouts + r.non2xx + r.wrongBody) notes.push('had errors or non-2xx answers');
  if (r.achievedRps < 0.95 * o.rate) notes.push(`fell behind the rate (${r.achievedRps.toFixed(0)} req/s)`);
  if (r.lagP99Ms > 5) notes.push(`generator lagged (p99 ${r.lagP99Ms.toFixed(1)} ms)`);
  return notes;
}

function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function runRateSection(o: RateOptions, ctx: BenchContext): Promise<RateSection> {
  const scenario = SCENARIOS.find((s) => s.name === 'small')!;
  const shadowUp = await startNodeProgram('shadow upstream', 'upstream-server.js', [], ctx.pinning.loadCpu, ctx, ctx.readyPath);
  const slowUp = await startNodeProgram('slow shadow upstream', 'upstream-server.js', ['--delay-ms', String(SLOW_SHADOW_DELAY_MS)],
    ctx.pinning.loadCpu, ctx, COUNT_PATH);
  const shadowRoute = { shadow: { upstream: 'shadow', percent: 100, timeoutMs: 5000, maxConcurrent: 64 } };
  const defs: RowDef[] = [
    { target: stranglerTarget({ key: RATE_NO_SHADOW, name: 'strangler (no shadow)' }) },
    {
      target: stranglerTarget({
        key: RATE_SHADOW,
        name: 'strangler + shadow 100%',
        config: { measuredRoute: shadowRoute, extraUpstreams: { shadow: { url: shadowUp.url } } },
      }),
      shadowUrl: shadowUp.url,
    },
    {
      target: stranglerTarget({
        key: RATE_SLOW_SHADOW,
        name: `strangler + shadow 100% to a ${SLOW_SHADOW_DELAY_MS / 1000} s upstream`,
        config: { measuredRoute: shadowRoute, extraUpstreams: { shadow: { url: slowUp.url } } },
      }),
      shadowUrl: slowUp.url,
    },
  ];
  const cells = new Map<string, { samples: RateSample[]; latencies: number[][]; notes: string[] }>(
    defs.map((d) => [d.target.key, { samples: [], latencies: [], notes: [] }]),
  );
  const cell = (d: RowDef) => cells.get(d.target.key)!;
  try {
    await eachRun('rate ', o.rounds, defs, ctx, (d, msg) => cell(d).notes.push(msg), async (d, running, tag) => {
      const shadowBefore = d.shadowUrl ? await requestCount(d.shadowUrl) : undefined;
      const { r, procCpuS, wallS, busy } = await measureAtRate(running, scenario, o, ctx);
      // The shadow upstreams count a request when it arrives; give the last copies a moment to get there.
      if (d.shadowUrl) await new Promise((res) => setTimeout(res, 200));
      const shadowAfter = d.shadowUrl ? await requestCount(d.shadowUrl) : undefined;
      const sample = toSample(r, o, {
        targetProcCpuPct: procCpuS === undefined ? undefined : (100 * procCpuS) / wallS,
        loadCoreBusyPct: busy(ctx.pinning.loadCpu),
        shadowRequests: shadowBefore !== undefined && shadowAfter !== undefined ? shadowAfter - shadowBefore : undefined,
      });
      cell(d).samples.push(sample);
      cell(d).latencies.push(r.latenciesUs as number[]);
      cell(d).notes.push(...rateNotes(r, o));
      log(`${tag} ${sample.achievedRps.toFixed(0).padStart(5)} req/s  p50 ${sample.p50Ms.toFixed(2)} ms  ` +
        `p99 ${sample.p99Ms.toFixed(2)} ms  max ${sample.maxMs.toFixed(1)} ms  errors ${sample.errors}  ` +
        `cpu target ${pct(sample.targetProcCpuPct)}, load core ${pct(sample.loadCoreBusyPct)}` +
        (sample.shadowRequests !== undefined ? `  shadow upstream got ${sample.shadowRequests} of ${sample.sent}` : ''));
    });
  } finally {
    await Promise.all([shadowUp.stop(), slowUp.stop()]);
  }

  return {
    opts: o,
    scenario,
    rows: defs.map((d) => {
      const c = cell(d);
      return summarizeRate(d.target.key, d.target.name, c.samples, c.latencies, c.notes);
    }),
  };
}

function toSample(
  r: OpenLoopOutput, o: RateOptions,
  extra: Pick<RateSample, 'targetProcCpuPct' | 'loadCoreBusyPct' | 'shadowRequests'>,
): RateSample {
  const lat = r.latenciesUs;
  return {
    p50Ms: (percentile(lat, 50) ?? Number.NaN) / 1000,
    p99Ms: (percentile(lat, 99) ?? Number.NaN) / 1000,
    maxMs: (lat.length ? lat[lat.length - 1]! : Number.NaN) / 1000,
    achievedRps: r.achievedRps,
    scheduled: r.scheduled,
    errors: r.errors + r.timeouts + r.non2xx + r.wrongBody,
    lagP99Ms: r.lagP99Ms,
    sent: Math.round(o.rate * (o.warmupS + o.durationS)),
    ...extra,
  };
}

function summarizeRate(key: string, target: string, samples: readonly RateSample[], latencies: readonly number[][], notes: readonly string[]): RateRow {
  const note = [...new Set(notes)].join('; ') || undefined;
  const base = { key, target, samples, errors: samples.reduce((a, s) => a + s.errors, 0), ...(note ? { note } : {}) };
  if (samples.length === 0) return base;
  const all = latencies.flat().sort((a, b) => a - b);
  if (all.length === 0) return base;
  const known = <T>(xs: readonly (T | undefined)[]) => xs.filter((x): x is T => x !== undefined);
  const cpu = known(samples.map((s) => s.targetProcCpuPct));
  const loadCpu = known(samples.map((s) => s.loadCoreBusyPct));
  const shadow = samples.every((s) => s.shadowRequests !== undefined)
    ? (100 * samples.reduce((a, s) => a + s.shadowRequests!, 0)) / samples.reduce((a, s) => a + s.sent, 0)
    : undefined;
  const p99s = samples.map((s) => s.p99Ms);
  return {
    ...base,
    p50Ms: percentile(all, 50)! / 1000,
    p99Ms: percentile(all, 99)! / 1000,
    maxMs: all[all.length - 1]! / 1000,
    p99MinMs: Math.min(...p99s),
    p99MaxMs: Math.max(...p99s),
    achievedRps: median(samples.map((s) => s.achievedRps)),
    lagP99Ms: median(samples.map((s) => s.lagP99Ms)),
    ...(cpu.length ? { targetProcCpuPct: median(cpu) } : {}),
    ...(loadCpu.length ? { loadCoreBusyPct: median(loadCpu) } : {}),
    ...(shadow !== undefined ? { shadowPct: shadow } : {}),
  };
}
