// The paired section: what one feature costs in CPU per request, measured inside ONE strangler
// process. Between processes the plain strangler row differs from itself by up to 30 us per round
// on these VMs (the A/A control row), so bars of a few us cannot be read there. Here the feature is
// switched on and off by reload (routes.yaml rewritten, POST /reload) in the same process, and the
// two sides alternate in short windows at the same fixed rate (on/off, then off/on: drift cancels);
// each window's CPU is the process's own (every thread, nanoseconds from /proc/PID/task/*/schedstat)
// over the requests answered in it. Per cycle: on minus off; the row gives the median of those.
// An A/A pair (the same config reloaded) gives this method's own noise on the day.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'undici';
import { Child, freePort, waitForHttpOk } from '../lib/procs.js';
import { median } from '../lib/stats.js';
import { MEASURED_PREFIX } from './routes.js';
import { stranglerRoutesYaml, type StranglerConfigOptions } from './strangler-config.js';
import { fmtNum as fmt, grid } from './stats.js';
import { STRANGLER_MAIN, type BenchContext } from './targets.js';

/** After each reload, this long at the rate before the window is measured. */
export const SETTLE_MS = 300;

export interface PairedOptions {
  readonly rate: number;
  readonly windowMs: number;
  readonly cycles: number;
}

type Extra = Omit<StranglerConfigOptions, 'upstreamUrl'>;

interface Feature {
  readonly key: string;
  readonly name: string;
  /** The issue's bar, in us of CPU per request over the feature off (null: none). */
  readonly barUs: number | null;
  readonly config: (ctx: BenchContext) => Extra;
}

export const PAIRED_FEATURES: readonly Feature[] = [
  { key: 'aa', name: 'A/A control (the same config)', barUs: null, config: () => ({}) },
  { key: 'trace-001', name: 'tracing, sampleRatio 0.01', barUs: 3, config: (ctx) => tracing(ctx, 0.01) },
  { key: 'trace-1', name: 'tracing, sampleRatio 1.0', barUs: 40, config: (ctx) => tracing(ctx, 1) },
  { key: 'record', name: 'record 100% of the route', barUs: 15, config: (ctx) => ({ measuredRoute: { record: { file: join(ctx.tmpDir, 'paired-record', 'bench.jsonl'), percent: 100 } } }) },
];

function tracing(ctx: BenchContext, sampleRatio: number): Extra {
  return { server: { tracing: { otlpEndpoint: `${ctx.upstreamUrl}/v1/traces`, sampleRatio } } };
}

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

/** CPU time of a process, every thread, in ns (schedstat: ns on cpu, first field). */
function processCpuNs(pid: number): number {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch { /* the thread ended */ }
  }
  return ns;
}

/** `seconds` of GET requests at `rate`, each due at start + i / rate (open loop). */
async function fixedRate(pool: Pool, path: string, rate: number, seconds: number): Promise<{ answered: number; errors: number }> {
  const n = Math.round(rate * seconds);
  const start = performance.now();
  let sent = 0, answered = 0, errors = 0;
  const inFlight: Promise<void>[] = [];
  while (sent < n) {
    const due = Math.min(n, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
    for (; sent < due; sent++) {
      inFlight.push(pool.request({ method: 'GET', path }).then(
        async (r) => { await r.body.dump(); if (r.statusCode === 200) answered++; else errors++; },
        () => void errors++,
      ));
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inFlight);
  return { answered, errors };
}

export async function runPairedSection(opts: PairedOptions, ctx: BenchContext, features: readonly Feature[] = PAIRED_FEATURES): Promise<PairedSection> {
  const [port, adminPort] = [await freePort(), await freePort()];
  const yamlFile = join(ctx.tmpDir, `routes-paired-${port}.yaml`);
  const write = (extra: Extra): void => writeFileSync(yamlFile, stranglerRoutesYaml({ upstreamUrl: ctx.upstreamUrl, ...extra }));
  write({});
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'info' };
  for (const k of ['ADMIN_TOKEN', 'STRANGLER_CONFIG', 'PORT', 'ADMIN_PORT']) delete env[k];
  const child = new Child('strangler (paired)', STRANGLER_MAIN, {
    args: ['--config', yamlFile, '--port', String(port), '--admin-port', String(adminPort)],
    cpu: ctx.pinning.proxyCpu, env, stderrFile: join(ctx.tmpDir, `strangler-paired-${port}.stderr`),
  });
  const admin = `http://127.0.0.1:${adminPort}`;
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 64, pipelining: 1 });
  const path = `${MEASURED_PREFIX}/small`;
  const reload = async (extra: Extra): Promise<void> => {
    write(extra);
    const res = await fetch(`${admin}/reload`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
    if (res.status !== 200) throw new Error(`paired: POST /reload answered ${res.status}: ${await res.text()}`);
  };
  const rows: PairedRow[] = [];
  try {
    await waitForHttpOk(`${admin}/readyz`, child, 20_000);
    await fixedRate(pool, path, opts.rate, 2); // warm-up: the JIT, the pools
    for (const f of features) {
      const on = f.config(ctx);
      const offUs: number[] = [], onUs: number[] = [], diffUs: number[] = [];
      let errors = 0;
      for (let c = 0; c < opts.cycles; c++) {
        const window = async (side: 'on' | 'off'): Promise<number> => {
          await reload(side === 'on' ? on : {});
          await fixedRate(pool, path, opts.rate, SETTLE_MS / 1000); // settle after the reload
          const before = processCpuNs(child.pid!);
          const r = await fixedRate(pool, path, opts.rate, opts.windowMs / 1000);
          errors += r.errors;
          return (processCpuNs(child.pid!) - before) / 1000 / Math.max(1, r.answered);
        };
        const [a, b] = c % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
        const first = await window(a);
        const second = await window(b);
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
    await pool.close();
    await child.stop(12_000);
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
