// Runs the CLI in-process with captured stdout/stderr.

import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/run.js';

export async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const code = await runCli(args, { stdout, stderr, env });
  return { code, out, err };
}
