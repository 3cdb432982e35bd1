// The two open-loop sections. Fixed rate: strangler at a fixed request rate on the small body,
// without shadow, with shadow at 100% to a second bench upstream, and with shadow at 100% to an
// upstream that answers after 2 s. The question is not throughput but whether mirroring touches
// the primary's latency: the issue's bar is the shadow rows' p99 within 10% of the row without.
// Rows are interleaved per round (order rotated), strangler restarted for every run; the two
// shadow upstreams are started once, on the load core like the primary upstream.
import { cpuMeter } from '../lib/cpu.js';
import { median, percentile } from '../lib/stats.js';
import { startOpenLoop } from './load.js';
import type { OpenLoopOutput } from './open-loop.js';
import type { BarCheck } from './report.js';
import { SCENARIOS, type Scenario } from './routes.js';
import { eachRun, log, noteOf, wrongAnswer } from './runner.js';
import { fmtNum as fmt, grid, withNulls } from './stats.js';
import { BARE_KEY, startNodeProgram, stranglerTarget, type BenchContext, type RunningTarget, type Target } from './targets.js';

export interface RateOptions {
  readonly rate: number;           // req/s
  readonly durationS: number;      // measured per run
  readonly warmupS: number;        // same rate before the measured window
  readonly rounds: number;
  readonly connections: number;
}

export const SLOW_SHADOW_DELAY_MS = 2000;
const P99_BAR = 1.1;   // shadow rows: primary p99 at most 10% above the row without shadow
const [NO_SHADOW, SHADOW, SLOW_SHADOW] = ['rate-no-shadow', 'rate-shadow', 'rate-shadow-slow'];
const COUNT_PATH = '/__bench/requests';

export interface RateSample {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly achievedRps: number;
  readonly scheduled: number;
  readonly errors: number;                 // socket errors + timeouts + non-2xx + wrong body size
  readonly lagP99Ms: number;               // the generator's own lateness
  readonly shadowRequests: number | undefined;   // requests that reached this row's shadow upstream during the run
  readonly sent: number;                   // requests sent during the run, warm-up included
}

/** p50/p99/max over the latencies of all rounds together (steadier than a median of per-round p99s);
 *  p99Min/MaxMs: the lowest and highest single-round p99 (the noise); the rest medians across rounds;
 *  shadowPct: shadow upstream requests / requests sent, all rounds. */
export interface RateRow extends Partial<Pick<RateSample, 'p50Ms' | 'p99Ms' | 'maxMs' | 'achievedRps' | 'lagP99Ms'>> {
  readonly key: string;
  readonly target: string;
  readonly samples: readonly RateSample[];
  readonly p99MinMs?: number;
  readonly p99MaxMs?: number;
  readonly shadowPct?: number | undefined;
  readonly errors: number;
  readonly note?: string | undefined;
}

export interface RateSection {
  readonly opts: RateOptions;
  readonly scenario: Scenario;
  readonly rows: readonly RateRow[];
}

const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));

async function requestCount(base: string | undefined): Promise<number | undefined> {
  if (base === undefined) return undefined;
  try {
    const res = await fetch(base + COUNT_PATH, { signal: AbortSignal.timeout(3000) });
    return ((await res.json()) as { requests: number }).requests;
  } catch {
    return undefined;
  }
}

/** One open-loop run against a started target (answer checked first); the target's CPU over the measured window. */
export async function measureAtRate(running: RunningTarget, scenario: Scenario, o: RateOptions, ctx: BenchContext) {
  return (await measureTogether([running], scenario, o, ctx))[0]!;
}

/** One open-loop run per target, all at once over the same window (each at `o.rate`), each
 *  target's CPU over that window. */
export async function measureTogether(targets: readonly RunningTarget[], scenario: Scenario, o: RateOptions, ctx: BenchContext) {
  for (const t of targets) {
    const wrong = await wrongAnswer(t.url + scenario.path, scenario, t.ca, t.headers);
    if (wrong) throw new Error(wrong);
  }
  const gens = targets.map((t) => startOpenLoop(t.url + scenario.path, {
    rate: o.rate, durationS: o.durationS, warmupS: o.warmupS, connections: o.connections, expectBytes: scenario.bodyBytes, cpu: ctx.pinning.loadCpu,
    ...(t.ca ? { caFile: t.ca } : {}), h2: t.h2 === true, headers: t.headers,
  }));
  for (const g of gens) g.done.catch(() => {});   // awaited below; no unhandled rejection meanwhile
  await sleepUntil(Math.max(...gens.map((g) => g.windowStart)));
  const stops = targets.map((t) => cpuMeter(t.pgid));
  await sleepUntil(Math.min(...gens.map((g) => g.windowEnd)));
  const ms = stops.map((stop) => stop());
  const rs = await Promise.all(gens.map((g) => g.done));
  return rs.map((r, i) => ({ r, ...ms[i]! }));
}

/** One open-loop run's CPU per request: the target's CPU over the measured window, over the
 *  requests due in it that were answered (scaled to the window actually measured). */
export async function cpuPerRequest(running: RunningTarget, scenario: Scenario, o: RateOptions, ctx: BenchContext): Promise<{ r: OpenLoopOutput; usPerReq: number; mainUsPerReq: number | undefined; cpuPct: number }> {
  return perRequest(await measureAtRate(running, scenario, o, ctx), o);
}

/** cpuPerRequest for several targets loaded at once over the same window. */
export async function cpuPerRequestTogether(targets: readonly RunningTarget[], scenario: Scenario, o: RateOptions, ctx: BenchContext) {
  return (await measureTogether(targets, scenario, o, ctx)).map((m) => ({ ...perRequest(m, o), loadBusyPct: m.busy(ctx.pinning.loadCpu), stealPct: m.stealPct }));
}

/** `mainUsPerReq`: of that, the main threads' (undefined where not known). */
function perRequest({ r, procCpuS, mainCpuS, wallS }: { r: OpenLoopOutput; procCpuS: number | undefined; mainCpuS: number | undefined; wallS: number }, o: RateOptions) {
  if (procCpuS === undefined) throw new Error('no CPU time for the target process group (no /proc?)');
  const requests = (r.answered * wallS) / o.durationS;
  const mainUsPerReq = mainCpuS === undefined ? undefined : (mainCpuS * 1e6) / requests;
  return { r, usPerReq: (procCpuS * 1e6) / requests, mainUsPerReq, cpuPct: (100 * procCpuS) / wallS };
}

/** The run's answers that were not a right 2xx (errors, timeouts, non-2xx, wrong bodies). */
export function failedAnswers(r: OpenLoopOutput): number {
  return r.errors + r.timeouts + r.non2xx + r.wrongBody;
}

/** What makes a fixed-rate run suspect. */
export function rateNotes(r: OpenLoopOutput, o: RateOptions): string[] {
  const notes: string[] = [];
  if (failedAnswers(r)) notes.push(`had errors or non-2xx answers (${Object.entries(r.failures).map(([k, n]) => `${k}: ${n}`).join(', ')})`);
  if (r.achievedRps < 0.95 * o.rate) notes.push(`fell behind the rate (${r.achievedRps.toFixed(0)} req/s)`);
  if (r.lagP99Ms > 5) notes.push(`generator lagged (p99 ${r.lagP99Ms.toFixed(1)} ms)`);
  return notes;
}

export async function runRateSection(o: RateOptions, ctx: BenchContext): Promise<RateSection> {
  const scenario = SCENARIOS.find((s) => s.name === 'small')!;
  const shadowUp = await startNodeProgram('shadow upstream', 'upstream-server.js', [], ctx.pinning.loadCpu, ctx, ctx.readyPath);
  const slowUp = await startNodeProgram('slow shadow upstream', 'upstream-server.js', ['--delay-ms', String(SLOW_SHADOW_DELAY_MS)],
    ctx.pinning.loadCpu, ctx, COUNT_PATH);
  const shadowRoute = { shadow: { upstream: 'shadow', percent: 100, timeoutMs: 5000, maxConcurrent: 64 } };
  const withShadow = (key: string, name: string, url: string) => ({
    target: stranglerTarget({ key, name, config: { measuredRoute: shadowRoute, extraUpstreams: { shadow: { url } } } }),
    shadowUrl: url,
  });
  const cells: { target: Target; shadowUrl?: string; samples: RateSample[]; latencies: number[][]; notes: string[] }[] = [
    { target: stranglerTarget({ key: NO_SHADOW, name: 'strangler (no shadow)' }) },
    withShadow(SHADOW, 'strangler + shadow 100%', shadowUp.url),
    withShadow(SLOW_SHADOW, `strangler + shadow 100% to a ${SLOW_SHADOW_DELAY_MS / 1000} s upstream`, slowUp.url),
  ].map((d) => ({ ...d, samples: [], latencies: [], notes: [] }));
  try {
    await eachRun('rate ', o.rounds, cells, ctx, (c, msg) => c.notes.push(msg), async (c, running, tag) => {
      const shadowBefore = await requestCount(c.shadowUrl);
      const { r } = await measureAtRate(running, scenario, o, ctx);
      // The shadow upstreams count a request when it arrives; give the last copies a moment to get there.
      if (c.shadowUrl) await new Promise((res) => setTimeout(res, 200));
      const shadowAfter = await requestCount(c.shadowUrl);
      const lat = r.latenciesUs;
      const s: RateSample = {
        p50Ms: percentile(lat, 50) / 1000,
        p99Ms: percentile(lat, 99) / 1000,
        maxMs: (lat.length ? lat[lat.length - 1]! : NaN) / 1000,
        achievedRps: r.achievedRps,
        scheduled: r.scheduled,
        errors: failedAnswers(r),
        lagP99Ms: r.lagP99Ms,
        shadowRequests: shadowBefore !== undefined && shadowAfter !== undefined ? shadowAfter - shadowBefore : undefined,
        sent: Math.round(o.rate * (o.warmupS + o.durationS)),
      };
      c.samples.push(s);
      c.latencies.push(lat as number[]);
      c.notes.push(...rateNotes(r, o));
      log(`${tag} ${s.achievedRps.toFixed(0).padStart(5)} req/s  p50 ${s.p50Ms.toFixed(2)} ms  ` +
        `p99 ${s.p99Ms.toFixed(2)} ms  max ${s.maxMs.toFixed(1)} ms  errors ${s.errors}` +
        (s.shadowRequests !== undefined ? `  shadow upstream got ${s.shadowRequests} of ${s.sent}` : ''));
    });
  } finally {
    await Promise.all([shadowUp.stop(), slowUp.stop()]);
  }
  return { opts: o, scenario, rows: cells.map(summarizeRate) };
}

function summarizeRate(c: { target: Target; samples: readonly RateSample[]; latencies: readonly number[][]; notes: readonly string[] }): RateRow {
  const { samples } = c;
  const base = { key: c.target.key, target: c.target.name, samples, errors: samples.reduce((a, s) => a + s.errors, 0), note: noteOf(c.notes) };
  const all = c.latencies.flat().sort((a, b) => a - b);
  if (all.length === 0) return base;
  const p99s = samples.map((s) => s.p99Ms);
  return {
    ...base,
    p50Ms: percentile(all, 50) / 1000,
    p99Ms: percentile(all, 99) / 1000,
    maxMs: all[all.length - 1]! / 1000,
    p99MinMs: Math.min(...p99s),
    p99MaxMs: Math.max(...p99s),
    achievedRps: median(samples.map((s) => s.achievedRps)),
    lagP99Ms: median(samples.map((s) => s.lagP99Ms)),
    shadowPct: samples.every((s) => s.shadowRequests !== undefined)
      ? (100 * samples.reduce((a, s) => a + s.shadowRequests!, 0)) / samples.reduce((a, s) => a + s.sent, 0)
      : undefined,
  };
}

// --- printing: the table, the bar lines, the JSON ------------------------------------------------
const rowOf = (s: RateSection, key: string) => s.rows.find((r) => r.key === key);

function p99Ratio(s: RateSection, key: string): number | undefined {
  const base = rowOf(s, NO_SHADOW)?.p99Ms;
  const p = rowOf(s, key)?.p99Ms;
  return key === NO_SHADOW || base === undefined || p === undefined || base === 0 ? undefined : p / base;
}

function rateTitle(s: RateSection): string {
  const o = s.opts;
  return `fixed rate ${o.rate.toLocaleString('en-US')} req/s, small body: GET ${s.scenario.path} -> ${s.scenario.bodyBytes} B ` +
    `(open loop, ${o.durationS} s measured per run after ${o.warmupS} s at the same rate, up to ${o.connections} connections, ` +
    `${o.rounds} round${o.rounds === 1 ? '' : 's'})`;
}

export function renderRateTable(s: RateSection): string {
  const head = ['target', 'req/s', 'p50 ms', 'p99 ms', 'p99 per round', 'max ms', 'p99 vs no shadow', 'errors', 'shadow got', 'gen lag p99', 'note'];
  return grid(rateTitle(s), head, s.rows.map((r) => {
    const ratio = p99Ratio(s, r.key);
    return [
      r.target, fmt(r.achievedRps, 0), fmt(r.p50Ms, 2), fmt(r.p99Ms, 2),
      r.p99MinMs === undefined ? '-' : r.samples.length > 1 ? `${fmt(r.p99MinMs, 2)}-${fmt(r.p99MaxMs, 2)}` : fmt(r.p99MinMs, 2),
      fmt(r.maxMs, 1), ratio === undefined ? '-' : `${ratio.toFixed(2)}x`, r.samples.length ? String(r.errors) : '-',
      r.shadowPct === undefined ? '-' : `${r.shadowPct.toFixed(r.shadowPct < 10 ? 1 : 0)}%`,
      r.lagP99Ms === undefined ? '-' : `${fmt(r.lagP99Ms, 2)} ms`, r.note ?? '',
    ];
  }));
}

function one(s: RateSection, key: string): { text: string; pass?: boolean } {
  const r = rowOf(s, key);
  const base = rowOf(s, NO_SHADOW);
  if (base?.p99Ms === undefined) return { text: `n/a (no shadow: ${base?.note ?? 'not run'})` };
  if (r?.p99Ms === undefined) return { text: `n/a (${r?.note ?? 'not run'})` };
  const x = r.p99Ms / base.p99Ms;
  return { text: `${x <= P99_BAR ? 'PASS' : 'FAIL'} (${x.toFixed(2)}x)`, pass: x <= P99_BAR };
}

export function rateBarChecks(s: RateSection): BarCheck[] {
  const [a, b] = [one(s, SHADOW), one(s, SLOW_SHADOW)];
  const lines: BarCheck[] = [{
    line: `shadow rows: primary p99 within 10% of no shadow: 100% ${a.text} / slow shadow ${b.text}`,
    ...(a.pass !== undefined || b.pass !== undefined ? { pass: a.pass !== false && b.pass !== false } : {}),
  }];
  // A bar that passes because nothing was mirrored says nothing: say so.
  const idle = [SHADOW, SLOW_SHADOW].map((k) => rowOf(s, k)).filter((r): r is RateRow => r?.shadowPct !== undefined && r.shadowPct < 0.5);
  if (idle.length) {
    lines.push({
      line: `  note: no shadow copies reached the shadow upstream in ${idle.map((r) => `"${r.target}"`).join(', ')}: ` +
        'the proxy did not mirror, so these rows measure the config, not the mirroring',
    });
  }
  return lines;
}

const RATE_JSON_KEYS = ['key', 'target', 'achievedRps', 'p50Ms', 'p99Ms', 'maxMs', 'p99MinMs', 'p99MaxMs', 'p99VsNoShadow', 'errors',
  'shadowPct', 'lagP99Ms', 'note', 'samples'];

export function rateJson(s: RateSection): unknown {
  return {
    title: rateTitle(s),
    options: s.opts,
    scenario: s.scenario,
    rows: s.rows.map((r) => withNulls(RATE_JSON_KEYS, { ...r, p99VsNoShadow: p99Ratio(s, r.key) })),
    barChecks: rateBarChecks(s),
  };
}

// --- The CPU-per-request section: each target at one fixed, non-saturating rate (open loop, small
// body), its own CPU time (every thread of its process group, from schedstat: for nginx, master and worker) over
// the measured window divided by the requests answered in it. Closed-loop req/s swings up to 2x
// between rounds on a 2-core machine; CPU per request at a fixed rate is steadier.
/** Issue 10's bars: CPU per request at most this many times the bare forwarder's. */
export const CPU_BARS = [['strangler', 1.15], ['strangler-policies', 1.2]] as const;
/** Issue 12's bar: strangler over TLS at most this many times its own plain-HTTP CPU per request. */
export const TLS_BARS = [['strangler-https', 1.3], ['strangler-h2', 1.3]] as const;
/** Issue 13's bars: what a local rate limit, a JWT (RS256, key cached) and a forward-auth cache hit
 *  may add, in us of CPU per request, to strangler's. */
/** Issue 14's bar: strangler --workers 2 at most this many times the 1-worker row's CPU per request (no hidden IPC cost). */
const WORKER_BARS = [['strangler-w2-2x', 1.1]] as const;
/** The A/A control's bound: the same config twice, within this many us of each other either way. */
const AA_NOISE_US = 3;
/** Issue 15's bars: tracing every request, and 1 in 100, in us of CPU per request over strangler's. */
const ADDED_US_BARS = [
  ['strangler-ratelimit', 'strangler', 5], ['strangler-jwt', 'strangler', 25], ['strangler-forward-auth', 'strangler', 10],
  ['strangler-trace-1', 'strangler', 40], ['strangler-trace-001', 'strangler', 3],
  ['strangler-record', 'strangler', 15], // issue 16: recording every request of the route
  ['strangler-aa', 'strangler', AA_NOISE_US], // the A/A control: the same config twice; beyond +-3 us the bars above are not judged
] as const;

interface CpuSample { readonly usPerReq: number; readonly cpuPct: number; readonly achievedRps: number; readonly errors: number }
export interface CpuRow { readonly key: string; readonly target: string; readonly samples: readonly CpuSample[]; readonly note?: string | undefined }
export interface CpuSection { readonly opts: RateOptions; readonly rows: readonly CpuRow[] }

export async function runCpuSection(o: RateOptions, targets: readonly Target[], ctx: BenchContext): Promise<CpuSection> {
  const scenario = SCENARIOS.find((s) => s.name === 'small')!;
  const cells = targets.map((target) => ({ target, samples: [] as CpuSample[], notes: [] as string[] }));
  await eachRun('cpu ', o.rounds, cells, ctx, (c, msg) => c.notes.push(msg), async (c, running, tag) => {
    const { r, usPerReq, cpuPct } = await cpuPerRequest(running, scenario, { ...o, rate: o.rate * (c.target.rateFactor ?? 1) }, ctx);
    const s: CpuSample = { usPerReq, cpuPct, achievedRps: r.achievedRps, errors: failedAnswers(r) };
    c.samples.push(s);
    c.notes.push(...rateNotes(r, { ...o, rate: o.rate * (c.target.rateFactor ?? 1) }).filter((n) => !n.startsWith('generator lagged')));   // late sends cost no CPU
    log(`${tag} ${s.achievedRps.toFixed(0).padStart(5)} req/s  cpu ${s.usPerReq.toFixed(1)} us/req (${s.cpuPct.toFixed(0)}% of a core)  errors ${s.errors}`);
  });
  return {
    opts: o,
    rows: cells.map((c) => ({ key: c.target.key, target: c.target.name, samples: c.samples, note: noteOf(c.notes) })),
  };
}

const us = (r: CpuRow | undefined) => (r?.samples.length ? median(r.samples.map((s) => s.usPerReq)) : undefined);
const spread = (xs: readonly number[], d: number, unit = '') =>
  xs.length > 1 ? `${fmt(Math.min(...xs), d)}-${fmt(Math.max(...xs), d)}${unit}` : xs.length ? fmt(xs[0], d) + unit : '-';

export function renderCpuTable(c: CpuSection): string {
  const bare = us(c.rows.find((r) => r.key === BARE_KEY));
  const lines = c.rows.map((r) => {
    const u = us(r);
    return [
      r.target, fmt(r.samples.length ? median(r.samples.map((s) => s.achievedRps)) : undefined, 0), fmt(u, 1),
      spread(r.samples.map((s) => s.usPerReq), 1), u !== undefined && bare ? `${(u / bare).toFixed(2)}x` : '-',
      fmt(r.samples.length ? median(r.samples.map((s) => s.cpuPct)) : undefined, 0),
      r.samples.length ? String(r.samples.reduce((a, s) => a + s.errors, 0)) : '-', r.note ?? '',
    ];
  });
  const o = c.opts;
  return grid(`CPU per request at a fixed ${o.rate.toLocaleString('en-US')} req/s, small body (open loop, ${o.durationS} s measured ` +
    `per run after ${o.warmupS} s, ${o.rounds} round${o.rounds === 1 ? '' : 's'}; median, and lowest-highest round)`,
  ['target', 'req/s', 'cpu us/req', 'per round', 'vs bare', 'cpu %core', 'errors', 'note'], lines);
}

export function cpuBarChecks(c: CpuSection): BarCheck[] {
  const [aa, plain] = [us(c.rows.find((r) => r.key === 'strangler-aa')), us(c.rows.find((r) => r.key === 'strangler'))];
  // The same config read more than the bound apart: a few us added by a feature cannot be told
  // from that, so those bars are not judged here (the paired section measures them).
  const noise = aa !== undefined && plain !== undefined && Math.abs(aa - plain) > AA_NOISE_US ? aa - plain : null;
  return [
    ...CPU_BARS.map(([key, max]) => ratioCheck(c, key, BARE_KEY, max)),
    ...[...TLS_BARS, ...WORKER_BARS].map(([key, max]) => ratioCheck(c, key, 'strangler', max)),
    ...ADDED_US_BARS.map(([key, baseKey, max]) =>
      key === 'strangler-aa'
        ? addedCheck(c, key, baseKey, max, (added) => Math.abs(added) <= max) // (two-sided)
        : addedCheck(c, key, baseKey, max, (added) => added <= max,
          noise === null ? null : `the A/A control read ${noise >= 0 ? '+' : ''}${noise.toFixed(1)} us, beyond +-${AA_NOISE_US} us (see the paired section)`),
    ),
  ];
}

/** Row `key`'s CPU per request at most `maxUs` us above row `baseKey`'s (`within` says whether the
 *  added us meet the bar); `unjudged`: why the figures are printed without a verdict. */
function addedCheck(c: CpuSection, key: string, baseKey: string, maxUs: number, within: (added: number) => boolean, unjudged: string | null = null): BarCheck {
  const [r, base] = [c.rows.find((x) => x.key === key), c.rows.find((x) => x.key === baseKey)];
  const label = `${r?.target ?? key} <= ${base?.target ?? baseKey} + ${maxUs} us (CPU per request at ${c.opts.rate} req/s):`;
  const [u, b] = [us(r), us(base)];
  if (u === undefined || b === undefined) return { line: `${label} n/a (${u === undefined ? r?.note ?? 'not run' : base?.note ?? `${baseKey} not run`})` };
  const perRound = r!.samples.map((s, i) => base!.samples[i] && s.usPerReq - base!.samples[i]!.usPerReq).filter((x): x is number => typeof x === 'number');
  const added = u - b;
  const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;
  const rounds = perRound.length ? `; per round ${perRound.map(signed).join(', ')} us` : '';
  const figures = `(${signed(added)} us per request: ${fmt(u, 1)} vs ${fmt(b, 1)}${rounds})`;
  if (unjudged !== null) return { line: `${label} not judged: ${unjudged} ${figures}` };
  const pass = within(added);
  return { line: `${label} ${pass ? 'PASS' : 'FAIL'} ${figures}`, pass };
}

/** Row `key`'s CPU per request at most `max` times row `baseKey`'s. */
function ratioCheck(c: CpuSection, key: string, baseKey: string, max: number): BarCheck {
  const [r, base] = [c.rows.find((x) => x.key === key), c.rows.find((x) => x.key === baseKey)];
  const label = `${r?.target ?? key} <= ${max}x ${base?.target ?? baseKey} (CPU per request at ${c.opts.rate} req/s):`;
  const [u, b] = [us(r), us(base)];
  if (u === undefined || !b) return { line: `${label} n/a (${u === undefined ? r?.note ?? 'not run' : base?.note ?? `${baseKey} not run`})` };
  // Rounds interleave the targets: the ratio within each round shows how much of it is noise.
  const perRound = r!.samples.map((s, i) => base!.samples[i] && s.usPerReq / base!.samples[i]!.usPerReq).filter((x): x is number => !!x);
  const x = u / b;
  const rounds = perRound.map((p, i) => `${p.toFixed(2)}x (${fmt(r!.samples[i]!.usPerReq, 1)} vs ${fmt(base!.samples[i]!.usPerReq, 1)} us)`).join(', ');
  return { line: `${label} ${x <= max ? 'PASS' : 'FAIL'} (${x.toFixed(3)}x; per round ${rounds})`, pass: x <= max };
}

export function cpuJson(c: CpuSection): unknown {
  return { options: c.opts, rows: c.rows.map((r) => ({ ...r, usPerReq: us(r) ?? null })), barChecks: cpuBarChecks(c) };
}
