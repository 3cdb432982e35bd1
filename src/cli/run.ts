// The CLI: serve (default), check, report, status, replay, help, version. `serve` installs the signal handlers.
// Each command's code is imported only when that command runs: `--version`, `check` or `replay` in a
// CI job or a pre-commit hook never loads the proxy (OpenTelemetry, ioredis, express, the workers).

import { createRequire } from 'node:module';
import { parseCommand, USAGE } from './args.js';
import type { Io } from './check.js';

function version(): string {
  const require = createRequire(import.meta.url);
  for (const p of ['../../package.json', '../../../package.json']) {
    try {
      return (require(p) as { version: string }).version;
    } catch {
      // try the next layout (src/ under ts, dist/src/ when built)
    }
  }
  return 'unknown';
}

/** A command told of no admin: the one its routes file names, when it names one. */
async function withConfiguredAdmin<T extends { admins: string[]; adminFrom?: string }>(cmd: T, io: Io): Promise<T> {
  if (cmd.adminFrom === undefined) return cmd;
  const { configuredAdmin } = await import('./configured-admin.js');
  return { ...cmd, admins: [await configuredAdmin(cmd.adminFrom, io.env, cmd.admins[0]!, io.stderr)] };
}

/** Returns the exit code, or never returns for `serve` (the process exits on a signal). */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const cmd = parseCommand(argv, io.env);
  switch (cmd.kind) {
    case 'help':
      io.stdout.write(USAGE);
      return 0;
    case 'version':
      io.stdout.write(`strangler ${version()}\n`);
      return 0;
    case 'usage-error':
      // The error alone, where it is seen (the whole usage after it pushed it off the screen).
      io.stderr.write(cmd.brief === true ? `strangler ${cmd.message} (strangler --help shows the usage)\n` : `strangler: ${cmd.message}\n(strangler --help shows the usage)\n`);
      return 2;
    case 'check':
      return (await import('./check.js')).runCheck(cmd, io);
    case 'report':
      return (await import('./report.js')).runReport(await withConfiguredAdmin(cmd, io), io);
    case 'status':
      return (await import('./status.js')).runStatus(await withConfiguredAdmin(cmd, io), io);
    case 'replay':
      return (await import('./replay.js')).runReplay(cmd, io);
    case 'serve':
      return (await import('./serve.js')).serve(cmd, io);
  }
}
