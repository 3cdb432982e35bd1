// Runs the built proxy (dist/src/main.js, built by `npm test` before vitest runs) as a child
// process on ephemeral loopback ports, its stdout piped to the test. Every child is also killed
// in afterEach, not only in the test's `finally`: a test that times out never reaches its `finally`.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach } from 'vitest';
import { LOG } from '../../src/observability/log-messages.js';
import { logLines } from './log-lines.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** `nodeArgs`: options for node itself (V8 flags), before the script. */
export function spawnBuiltProxy(configFile: string, extraArgs: readonly string[] = [], nodeArgs: readonly string[] = []): ChildProcess {
  const main = path.resolve('dist/src/main.js');
  const child = spawn(process.execPath, [...nodeArgs, main, '--config', configFile, '--port', '0', '--admin-port', '0', '--host', '127.0.0.1', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return child;
}

/** The built proxy with `--workers N`, once it listens: its public and admin URLs and its log. */
export async function spawnBuiltWorkers(configFile: string, workers = 2): Promise<{ child: ChildProcess; log: ReturnType<typeof logLines>; url: string; admin: string }> {
  const child = spawnBuiltProxy(configFile, ['--workers', String(workers)]);
  const log = logLines(child);
  // (Three processes start, each loading its modules: on a loaded two-core machine, with other
  // test files running, that took over 10 s twice in a row. A bound, not a wait for a guessed time,
  // under vitest's 30 s test timeout so that its own message says what did not come.)
  const up = await log.wait((l) => l.msg === LOG.listening, 25_000);
  return { child, log, url: `http://127.0.0.1:${up.port as number}`, admin: `http://127.0.0.1:${up.adminPort as number}` };
}
