// wrk as the load generator: one thread (it has one core), --latency for the percentiles.
import { execFileSync } from 'node:child_process';
import type { LoadOptions, LoadResult, LoadRunner } from './load.js';
import { runCaptured } from './run-capture.js';

export function wrkRunner(): LoadRunner {
  return {
    name: `wrk ${wrkVersion()} (1 thread)`,
    async run(url: string, o: LoadOptions): Promise<LoadResult> {
      const args = ['-t', '1', '-c', String(o.connections), '-d', `${o.durationS}s`, '--timeout', '10s', '--latency', url];
      const out = await runCaptured('wrk', 'wrk', args, o.cpu, (o.durationS + 30) * 1000);
      return parseWrk(out);
    },
  };
}

function wrkVersion(): string {
  try {
    execFileSync('wrk', ['-v'], { stdio: 'pipe' });
  } catch (err) {
    const text = String((err as { stdout?: Buffer }).stdout ?? '');
    const m = /wrk\s+(\S+)/.exec(text);
    if (m) return m[1]!;
  }
  return '?';
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function toMs(value: string, unit: string): number {
  const f = UNIT_MS[unit];
  if (f === undefined) throw new Error(`wrk: unknown latency unit ${unit}`);
  return Number.parseFloat(value) * f;
}

export function parseWrk(out: string): LoadResult {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(out);
  const p50 = /^\s+50%\s+([\d.]+)(us|ms|s|m|h)\s*$/m.exec(out);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s|m|h)\s*$/m.exec(out);
  const total = /^\s+(\d+) requests in /m.exec(out);
  if (!rps || !p50 || !p99 || !total) throw new Error(`cannot parse wrk output:\n${out}`);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = sock ? sock.slice(1).reduce((a, x) => a + Number(x), 0) : 0;
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  return {
    rps: Number.parseFloat(rps[1]!),
    p50Ms: toMs(p50[1]!, p50[2]!),
    p99Ms: toMs(p99[1]!, p99[2]!),
    requests: Number(total[1]),
    errors,
    non2xx,
  };
}
