// Instructions per request, counted by valgrind's callgrind: the same build's main thread reads
// the same count within ~1% in one sitting whatever else the machine does (strangler: 168.5k to
// 171.9k in ten runs; an hour later ~1.5% off, and one run in a dozen an outlier), where CPU time
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
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { hasCommand } from './lib/cpu.js';
import { freePort } from './lib/procs.js';
import { MEASURED_PREFIX, SMALL_BYTES } from './bench/routes.js';
import { stranglerRoutesYaml, type StranglerConfigOptions } from './bench/strangler-config.js';
import { POLICIES_ROUTE, STRANGLER_MAIN } from './bench/targets.js';

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
const tracing = (sampleRatio: number) => (upstreamUrl: string): Extra => ({ server: { tracing: { otlpEndpoint: `${upstreamUrl}/v1/traces`, sampleRatio } } });
const VARIANTS: Record<string, ((upstreamUrl: string) => Extra) | null> = {
  bare: null,
  strangler: () => ({}),
  'strangler-policies': () => ({ measuredRoute: POLICIES_ROUTE }),
  'strangler-trace-0': tracing(0),
  'strangler-trace-001': tracing(0.01),
};

const PATH = `${MEASURED_PREFIX}/small`;
const BODY = Buffer.alloc(SMALL_BYTES, 'x');
const CONCURRENCY = 8;

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

async function ready(pool: Pool, child: ReturnType<typeof spawn>): Promise<void> {
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`the target exited (${child.exitCode}) before answering`);
    try {
      const r = await pool.request({ path: PATH, method: 'GET' });
      await r.body.dump();
      if (r.statusCode === 200) return;
    } catch { /* not listening yet */ }
    await new Promise((res) => setTimeout(res, 500));
  }
  throw new Error('the target did not answer within 120 s');
}

async function count(key: string, upstreamUrl: string, dir: string, o: { requests: number; warmup: number }): Promise<{ main: number; all: number }> {
  const port = await freePort();
  const variant = VARIANTS[key]!;
  let args: string[];
  if (variant === null) {
    args = [fileURLToPath(new URL('./bench/bare-forwarder.js', import.meta.url)), '--port', String(port), '--upstream', upstreamUrl];
  } else {
    const yaml = join(dir, `${key}.yaml`);
    writeFileSync(yaml, stranglerRoutesYaml({ upstreamUrl, ...variant(upstreamUrl) }));
    args = [STRANGLER_MAIN, '--config', yaml, '--port', String(port), '--admin-port', String(await freePort())];
  }
  const out = join(dir, `${key}.cg`);
  const env = { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'info' };
  const child = spawn('valgrind', ['--tool=callgrind', '--separate-threads=yes', `--callgrind-out-file=${out}`, process.execPath, ...args], { stdio: 'ignore', env });
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONCURRENCY });
  try {
    await ready(pool, child);
    await load(pool, o.warmup);
    execFileSync('callgrind_control', ['-z', String(child.pid)], { stdio: 'ignore' });
    await load(pool, o.requests);
    execFileSync('callgrind_control', ['-d', String(child.pid)], { stdio: 'ignore' });
    const texts = readdirSync(dir).filter((f) => f.startsWith(`${key}.cg.`)).map((f) => readFileSync(join(dir, f), 'utf8'));
    const t = dumpTotals(texts);
    return { main: t.main / o.requests, all: t.all / o.requests };
  } finally {
    child.kill('SIGKILL');
    await pool.close();
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
  const upstream = http.createServer((req, res) => {
    req.resume();
    req.once('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY.length }).end(BODY));
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'strangler-instructions-'));
  const rows: [string, { main: number; all: number }][] = [];
  try {
    for (const k of keys) {
      process.stderr.write(`[instructions] ${k}: ${o.warmup} requests to warm up, ${o.requests} counted...\n`);
      rows.push([k, await count(k, upstreamUrl, dir, o)]);
    }
  } finally {
    upstream.close();
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
