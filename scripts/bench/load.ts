// The load generators, each a child process pinned to the load core, its stdout captured in a
// file, bounded in time: wrk (closed loop, preferred), autocannon (closed loop, when wrk is not
// installed or --load autocannon) and the open-loop generator (open-loop.ts, fixed rate).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasCommand } from '../lib/cpu.js';
import { Child } from '../lib/procs.js';
import type { OpenLoopOutput } from './open-loop.js';

export interface LoadOptions {
  readonly connections: number;
  readonly durationS: number;
  readonly cpu?: number | undefined;   // pin the load generator here
}

export interface LoadResult {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly errors: number;        // socket errors + timeouts
  readonly non2xx: number;
}

export interface LoadRunner {
  readonly name: string;          // with version, for the header
  run(url: string, opts: LoadOptions): Promise<LoadResult>;
}

/** Runs a short-lived tool with its stdout captured, stopped after timeoutMs; its stdout, or throws. */
async function runCaptured(name: string, cmd: string, args: readonly string[], cpu: number | undefined, timeoutMs: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'strangler-bench-load-'));
  const [out, err] = [join(dir, 'out'), join(dir, 'err')];
  try {
    const child = new Child(name, cmd, { args, cpu, stdoutFile: out, stderrFile: err });
    const timer = setTimeout(() => void child.stop(1000), timeoutMs);
    const { code } = await child.exited;
    clearTimeout(timer);
    await child.stop();
    const stdout = readFileSync(out, 'utf8');
    if (code !== 0) throw new Error(`${name} exited with ${code ?? 'a signal'}: ${child.stderrTail(500) || stdout.slice(-500)}`);
    return stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function pickLoadRunner(prefer?: 'wrk' | 'autocannon'): LoadRunner {
  if (prefer !== 'autocannon' && hasCommand('wrk')) return wrkRunner();
  if (prefer === 'wrk') throw new Error('--load wrk: wrk is not installed');
  return autocannonRunner(prefer === 'autocannon' ? '--load autocannon' : 'wrk not installed');
}

/** wrk: one thread (it has one core), --latency for the percentiles. */
function wrkRunner(): LoadRunner {
  let version = '?';
  try {
    execFileSync('wrk', ['-v'], { stdio: 'pipe' });
  } catch (err) {
    version = /wrk\s+(\S+)/.exec(String((err as { stdout?: Buffer }).stdout ?? ''))?.[1] ?? '?';
  }
  return {
    name: `wrk ${version} (1 thread)`,
    async run(url, o) {
      const args = ['-t', '1', '-c', String(o.connections), '-d', `${o.durationS}s`, '--timeout', '10s', '--latency', url];
      return parseWrk(await runCaptured('wrk', 'wrk', args, o.cpu, (o.durationS + 30) * 1000));
    },
  };
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseWrk(out: string): LoadResult {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(out);
  const p50 = /^\s+50%\s+([\d.]+)(us|ms|s|m|h)\s*$/m.exec(out);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s|m|h)\s*$/m.exec(out);
  const total = /^\s+(\d+) requests in /m.exec(out);
  if (!rps || !p50 || !p99 || !total) throw new Error(`cannot parse wrk output:\n${out}`);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: Number.parseFloat(rps[1]!),
    p50Ms: Number.parseFloat(p50[1]!) * UNIT_MS[p50[2]!]!,
    p99Ms: Number.parseFloat(p99[1]!) * UNIT_MS[p99[2]!]!,
    requests: Number(total[1]),
    errors: sock ? sock.slice(1).reduce((a, x) => a + Number(x), 0) : 0,
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0),
  };
}

/** autocannon's CLI, as a child process so that it can be pinned. */
function autocannonRunner(why: string): LoadRunner {
  const require = createRequire(import.meta.url);
  const cli = require.resolve('autocannon/autocannon.js');
  const version = (require('autocannon/package.json') as { version: string }).version;
  return {
    name: `autocannon ${version} (1 process; ${why})`,
    async run(url, o) {
      const args = ['-c', String(o.connections), '-d', String(o.durationS), '-t', '10', '-n', '-j', url];
      const out = await runCaptured('autocannon', cli, args, o.cpu, (o.durationS + 30) * 1000);
      const start = out.indexOf('{');
      if (start < 0) throw new Error(`cannot parse autocannon output:\n${out.slice(0, 500)}`);
      const j = JSON.parse(out.slice(start)) as { requests: { average: number; total: number }; latency: { p50: number; p99: number }; errors: number; timeouts: number; non2xx: number };
      return { rps: j.requests.average, p50Ms: j.latency.p50, p99Ms: j.latency.p99, requests: j.requests.total, errors: j.errors + j.timeouts, non2xx: j.non2xx };
    },
  };
}

export interface OpenLoopOptions {
  readonly rate: number;
  readonly durationS: number;        // measured
  readonly warmupS: number;          // sent at the same rate first, not measured
  readonly connections: number;
  readonly expectBytes: number;
  readonly cpu?: number | undefined;
  readonly caFile?: string;          // https: trust this CA
  readonly h2?: boolean;             // offer h2 by ALPN
  readonly headers?: Readonly<Record<string, string>> | undefined;   // sent with every request
}

export const OPEN_LOOP_NAME = 'open-loop generator (scripts/bench/open-loop.ts: node + undici Pool, node:http2 sessions for HTTP/2, latency from the scheduled send time)';

/** Starts the open-loop generator; the first request is due `leadMs` from now (time for node to boot).
 *  windowStart/windowEnd: Date.now() of the measured window as scheduled (for CPU readings). */
export function startOpenLoop(url: string, o: OpenLoopOptions, leadMs = 400): { windowStart: number; windowEnd: number; done: Promise<OpenLoopOutput> } {
  const startAt = Date.now() + leadMs;
  const timeoutMs = 10_000;
  const args = [
    '--url', url, '--rate', String(o.rate), '--duration', String(o.durationS), '--warmup', String(o.warmupS), '--connections', String(o.connections),
    '--start-at', String(startAt), '--expect-bytes', String(o.expectBytes), '--timeout-ms', String(timeoutMs),
    ...(o.caFile ? ['--ca', o.caFile] : []), ...(o.h2 ? ['--h2'] : []),
    ...Object.entries(o.headers ?? {}).flatMap(([k, v]) => ['--header', `${k}:${v}`]),
  ];
  const limitMs = leadMs + (o.warmupS + o.durationS) * 1000 + timeoutMs + 20_000;
  const script = fileURLToPath(new URL('open-loop.js', import.meta.url));
  const done = runCaptured('open-loop', script, args, o.cpu, limitMs).then((out) => {
    try {
      return JSON.parse(out.trim().split('\n').pop() ?? '') as OpenLoopOutput;
    } catch {
      throw new Error(`cannot parse the open-loop generator's output:\n${out.slice(0, 500)}`);
    }
  });
  const windowStart = startAt + o.warmupS * 1000;
  return { windowStart, windowEnd: windowStart + o.durationS * 1000, done };
}
