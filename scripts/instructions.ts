// Instructions per request, counted by valgrind's callgrind: the same build's main thread reads
// the same count within ~2% in one sitting whatever else the machine does (ten runs of strangler
// spanned 2%; an hour later ~1.5% off, and one run in a dozen an outlier), where CPU time
// per request moved 30-100% between rounds on these VMs. For comparing builds and features side
// by side (a change of ~2,000 instructions per request shows); the bars stay in the bench's CPU
// sections, since instructions are not time (cache misses, the kernel and syscalls are not in
// them). The other threads' counts (GC, compiler) move more from run to run.
//
// Each target runs under callgrind, one count per thread; a closed loop of keep-alive requests
// (8 at a time) warms it up, the counts are zeroed (callgrind_control -z), N more requests are
// sent, and the counts dumped (-d). Reported per request: the main thread's instructions (the
// event loop: the request path) and all threads' (V8's GC and compiler threads, worker threads).
// Usage: node dist/scripts/instructions.js [--targets a,b] [--requests N] [--warmup N]
//   targets: bare, strangler, strangler-policies, strangler-trace-0, strangler-trace-001 (default: all)
//   BENCH_STRANGLER_MAIN=/path/to/main.js counts another strangler build.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { hasCommand } from './lib/cpu.js';
import { Child, freePort, waitForHttpOk } from './lib/procs.js';
import { MEASURED_PREFIX } from './bench/routes.js';
import { stranglerRoutesYaml, type StranglerConfigOptions } from './bench/strangler-config.js';
import { POLICIES_ROUTE, STRANGLER_MAIN, startNodeProgram, tracing, type BenchContext } from './bench/targets.js';

/** One callgrind output file: its thread number and its total instructions. */
export function callgrindTotal(text: string): { thread: number; total: number } | null {
  const total = /^(?:totals|summary): (\d+)/m.exec(text);
  if (total === null) return null;
  const thread = /^thread: (\d+)/m.exec(text);
  return { thread: thread === null ? 1 : Number(thread[1]), total: Number(total[1]) };
}

/** A dump's files (--separate-threads=yes: one per thread) as main-thread and all-thread totals. */
export function dumpTotals(texts: readonly string[]): { main: number; all: number } {
  let main = 0;
  let all = 0;
  for (const t of texts) {
    const c = callgrindTotal(t);
    if (c === null) continue;
    all += c.total;
    if (c.thread === 1) main += c.total;
  }
  return { main, all };
}

type Extra = Omit<StranglerConfigOptions, 'upstreamUrl'>;
/** Each target's routes.yaml beyond the bench table, as the bench's own rows have it (null: bare). */
const VARIANTS: Record<string, ((ctx: BenchContext) => Promise<Extra>) | null> = {
  bare: null,
  strangler: async () => ({}),
  'strangler-policies': async () => ({ measuredRoute: POLICIES_ROUTE }),
  'strangler-trace-0': async (ctx) => (await tracing(0)(ctx)).config,
  'strangler-trace-001': async (ctx) => (await tracing(0.01)(ctx)).config,
};

const PATH = `${MEASURED_PREFIX}/small`;
const CONCURRENCY = 8;
/** valgrind starts node ~50 times slower than node starts. */
const START_MS = 120_000;

async function load(pool: Pool, n: number): Promise<void> {
  let sent = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (sent < n) {
      sent++;
      const r = await pool.request({ path: PATH, method: 'GET' });
      await r.body.dump();
      if (r.statusCode !== 200) throw new Error(`${PATH} answered ${r.statusCode}`);
    }
  }));
}

async function count(key: string, ctx: BenchContext, o: { requests: number; warmup: number }): Promise<{ main: number; all: number }> {
  const port = await freePort();
  const variant = VARIANTS[key]!;
  let args: string[];
  if (variant === null) {
    args = [fileURLToPath(new URL('./bench/bare-forwarder.js', import.meta.url)), '--port', String(port), '--upstream', ctx.upstreamUrl];
  } else {
    const yaml = join(ctx.tmpDir, `${key}.yaml`);
    writeFileSync(yaml, stranglerRoutesYaml({ upstreamUrl: ctx.upstreamUrl, ...(await variant(ctx)) }));
    args = [STRANGLER_MAIN, '--config', yaml, '--port', String(port), '--admin-port', String(await freePort())];
  }
  const out = join(ctx.tmpDir, `${key}.cg`);
  const child = new Child(`${key} under callgrind`, 'valgrind', {
    args: ['--tool=callgrind', '--separate-threads=yes', `--callgrind-out-file=${out}`, process.execPath, ...args],
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'info' },
    stderrFile: join(ctx.tmpDir, `${key}.stderr`),
  });
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONCURRENCY });
  try {
    await waitForHttpOk(`http://127.0.0.1:${port}${PATH}`, child, START_MS);
    await load(pool, o.warmup);
    execFileSync('callgrind_control', ['-z', String(child.pid)], { stdio: 'ignore' });
    await load(pool, o.requests);
    execFileSync('callgrind_control', ['-d', String(child.pid)], { stdio: 'ignore' });
    const texts = readdirSync(ctx.tmpDir).filter((f) => f.startsWith(`${key}.cg.`)).map((f) => readFileSync(join(ctx.tmpDir, f), 'utf8'));
    const t = dumpTotals(texts);
    return { main: t.main / o.requests, all: t.all / o.requests };
  } finally {
    await pool.close();
    await child.stop(0); // (counted already: nothing to let it finish)
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { targets: { type: 'string' }, requests: { type: 'string' }, warmup: { type: 'string' } } });
  const keys = values.targets?.split(',').map((s) => s.trim()) ?? Object.keys(VARIANTS);
  const unknown = keys.filter((k) => !(k in VARIANTS));
  if (unknown.length) throw new Error(`unknown target(s) ${unknown.join(', ')}; known: ${Object.keys(VARIANTS).join(', ')}`);
  const o = { requests: Number(values.requests ?? 3000), warmup: Number(values.warmup ?? 4000) };
  for (const cmd of ['valgrind', 'callgrind_control']) {
    if (!hasCommand(cmd)) throw new Error(`${cmd} not found: apt-get install valgrind`);
  }
  // The bench's own upstream (its answers, and its OTLP sink for the tracing rows), unpinned.
  const dir = mkdtempSync(join(tmpdir(), 'strangler-instructions-'));
  const boot: BenchContext = { upstreamUrl: '', pinning: { description: 'off' }, tmpDir: dir, readyPath: PATH, tls: null };
  const rows: [string, { main: number; all: number }][] = [];
  try {
    const upstream = await startNodeProgram('upstream', 'upstream-server.js', [], undefined, boot, PATH);
    try {
      const ctx: BenchContext = { ...boot, upstreamUrl: upstream.url };
      for (const k of keys) {
        process.stderr.write(`[instructions] ${k}: ${o.warmup} requests to warm up, ${o.requests} counted...\n`);
        rows.push([k, await count(k, ctx, o)]);
      }
    } finally {
      await upstream.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const bare = rows.find(([k]) => k === 'bare')?.[1];
  const ratio = (v: number, b: number | undefined) => (b === undefined ? '-' : `${(v / b).toFixed(3)}x`);
  process.stdout.write(`INSTRUCTIONS PER REQUEST (callgrind; ${o.requests} GETs of ${PATH}, ${CONCURRENCY} at a time, after ${o.warmup})\n`);
  process.stdout.write(`${'target'.padEnd(22)}${'main thread'.padStart(12)}${'vs bare'.padStart(9)}${'all threads'.padStart(13)}${'vs bare'.padStart(9)}\n`);
  for (const [k, v] of rows) {
    process.stdout.write(`${k.padEnd(22)}${Math.round(v.main).toLocaleString('en').padStart(12)}${ratio(v.main, bare?.main).padStart(9)}` +
      `${Math.round(v.all).toLocaleString('en').padStart(13)}${ratio(v.all, bare?.all).padStart(9)}\n`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err: Error) => {
    process.stderr.write(`instructions: ${err.message}\n`);
    process.exit(1);
  });
}
