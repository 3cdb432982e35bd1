// Runs a short-lived tool (the load generator) with its stdout captured, bounded in time,
// and tracked so Ctrl-C stops it too.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnChild } from './procs.js';

export async function runCaptured(name: string, cmd: string, args: readonly string[], cpu: number | undefined, timeoutMs: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'strangler-bench-load-'));
  const out = join(dir, 'out');
  const err = join(dir, 'err');
  try {
    const child = spawnChild(name, cmd, args, { cpu, stdoutFile: out, stderrFile: err });
    const timer = setTimeout(() => void child.stop(1000), timeoutMs);
    const code = await child.exited;
    clearTimeout(timer);
    await child.stop();
    const stdout = readFileSync(out, 'utf8');
    if (code !== 0) {
      throw new Error(`${name} exited with ${code ?? 'a signal'}: ${readFileSync(err, 'utf8').trim().slice(-500) || stdout.slice(-500)}`);
    }
    return stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
