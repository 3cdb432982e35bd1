// `strangler check ... | head` and the like: the reader closes the pipe before the command has
// written its output. The built CLI stops writing there, with no stack trace, and still exits with
// its own code (a gate's 1 is not turned into a crash, nor a crash into a pass).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { writeConfig } from './helpers/servers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = path.join(ROOT, 'dist/src/main.js');

/** Runs the built CLI with its stdout a pipe whose reading end is closed before the CLI starts. */
async function intoClosedPipe(args: string[]): Promise<{ code: number | null; err: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy(); // (the reader is gone: the CLI's first write gets EPIPE)
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, err };
}

it('exits 0 for a valid file and 1 for an invalid one, without a stack trace', async () => {
  const valid = await intoClosedPipe(['check', path.join(ROOT, 'routes.yaml'), '--json']);
  expect(valid.err).toBe('');
  expect(valid.code).toBe(0);

  const bad = await writeConfig('upstreams:\n  legacy: { url: http://127.0.0.1:8000 }\nroutes:\n  - { prefix: /users, upstream: legcy }\n');
  const invalid = await intoClosedPipe(['check', bad, '--json']);
  expect(invalid.err).toBe(`${bad}: 1 error(s); the file is not valid\n`);
  expect(invalid.code).toBe(1);
});
