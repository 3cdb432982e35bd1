// Runs the built proxy (dist/src/main.js, built by `npm test` before vitest runs) as a child
// process on ephemeral loopback ports, its stdout piped to the test. Every child is also killed
// in afterEach, not only in the test's `finally`: a test that times out never reaches its `finally`.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach } from 'vitest';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

export function spawnBuiltProxy(configFile: string, extraArgs: readonly string[] = []): ChildProcess {
  const main = path.resolve('dist/src/main.js');
  const child = spawn(process.execPath, [main, '--config', configFile, '--port', '0', '--admin-port', '0', '--host', '127.0.0.1', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return child;
}
