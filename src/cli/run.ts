// The CLI: serve (default), check, help, version. `serve` installs the signal handlers.

import { createRequire } from 'node:module';
import { ConfigInvalidError, startStrangler } from '../bootstrap.js';
import { formatConfigErrors } from '../config/format.js';
import { createProcessLogger, flushLogger, logLevelFrom } from '../observability/logger.js';
import { parseCommand, USAGE } from './args.js';
import { runCheck, type Io } from './check.js';

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
      io.stderr.write(`strangler: ${cmd.message}\n\n${USAGE}`);
      return 2;
    case 'check':
      return runCheck(cmd.file, cmd.json, io);
    case 'report':
      io.stderr.write('strangler report: the shadow report is not available in this version yet\n');
      return 2;
    case 'serve':
      return serve(cmd, io);
  }
}

async function serve(cmd: Extract<ReturnType<typeof parseCommand>, { kind: 'serve' }>, io: Io): Promise<number> {
  const logger = createProcessLogger(logLevelFrom(cmd.logLevel));
  let proxy;
  try {
    proxy = await startStrangler({ ...cmd, logger, env: io.env, processMetrics: true });
  } catch (err) {
    if (err instanceof ConfigInvalidError) {
      logger.error({ msg: 'invalid config, not starting', errors: err.errors });
      await flushLogger();
      io.stderr.write(`${formatConfigErrors(err.errors)}\n${cmd.configPath}: not starting, the config is not valid\n`);
      return 1;
    }
    logger.error({ msg: 'failed to start', err });
    await flushLogger();
    return 1;
  }
  const stop = (signal: string): void => {
    logger.info({ msg: 'signal received', signal });
    proxy.shutdown().then(
      () => flushLogger().then(() => process.exit(0)),
      (err: unknown) => {
        logger.error({ msg: 'shutdown failed', err });
        return flushLogger().then(() => process.exit(1));
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return new Promise<number>(() => {}); // runs until a signal
}
