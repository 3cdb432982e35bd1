// Runs the open-loop generator (open-loop.ts) as a child process, pinned like the closed-loop
// load tools, and parses what it prints.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OpenLoopOutput } from './open-loop.js';
import { runCaptured } from './run-capture.js';

const here = fileURLToPath(new URL('.', import.meta.url));

export interface OpenLoopOptions {
  readonly rate: number;
  readonly durationS: number;        // measured
  readonly warmupS: number;          // sent at the same rate first, not measured
  readonly connections: number;
  readonly expectBytes: number;
  readonly cpu?: number | undefined;
  readonly timeoutMs?: number;
}

export interface OpenLoopHandle {
  /** Date.now() at which the measured window starts and ends, as scheduled (for CPU snapshots). */
  readonly windowStart: number;
  readonly windowEnd: number;
  /** The generator's numbers, once it has sent everything and every answer is in (or timed out). */
  readonly done: Promise<OpenLoopOutput>;
}

export const OPEN_LOOP_NAME = 'open-loop generator (scripts/bench/open-loop.ts: node + undici Pool, latency from the scheduled send time)';

/** Starts the generator; the first request is due `leadMs` from now (time for node to boot). */
export function startOpenLoop(url: string, o: OpenLoopOptions, leadMs = 400): OpenLoopHandle {
  const startAt = Date.now() + leadMs;
  const timeoutMs = o.timeoutMs ?? 10_000;
  const args = [
    join(here, 'open-loop.js'),
    '--url', url,
    '--rate', String(o.rate),
    '--duration', String(o.durationS),
    '--warmup', String(o.warmupS),
    '--connections', String(o.connections),
    '--start-at', String(startAt),
    '--expect-bytes', String(o.expectBytes),
    '--timeout-ms', String(timeoutMs),
  ];
  const limitMs = leadMs + (o.warmupS + o.durationS) * 1000 + timeoutMs + 20_000;
  const done = runCaptured('open-loop', process.execPath, args, o.cpu, limitMs).then(parseOpenLoop);
  const windowStart = startAt + o.warmupS * 1000;
  return { windowStart, windowEnd: windowStart + o.durationS * 1000, done };
}

export function parseOpenLoop(out: string): OpenLoopOutput {
  const line = out.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as OpenLoopOutput;
  } catch {
    throw new Error(`cannot parse the open-loop generator's output:\n${out.slice(0, 500)}`);
  }
}
