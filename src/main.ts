#!/usr/bin/env node
// strangler's entry point: see cli/run.ts.

import { runCli } from './cli/run.js';

// A reader that stops early (`strangler report | head`) closes the pipe: the output stops there,
// and the command still ends with its own exit code (a gate's verdict is not lost to a crash).
for (const out of [process.stdout, process.stderr]) {
  out.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
  });
}

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`strangler: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
