// `strangler serve`: starts the proxy and installs the signal handlers. Loaded only for serve (see run.ts).

import { startServing, type Running } from '../workers/start.js';
import { ConfigInvalidError } from '../routing/reloader.js';
import { AdminExposedError } from '../admin/exposure.js';
import { startFailureLine } from './start-failure.js';
import { formatConfigErrors } from '../config/format.js';
import { createProcessLogger, flushLogger, logLevelFrom } from '../observability/logger.js';
import { LOG } from '../observability/log-messages.js';
import type { Command } from './args.js';
import type { Io } from './check.js';
import { tuneV8 } from '../util/v8-flags.js';

/** Never returns once started (the process exits on a signal); returns 1 when it cannot start. */
export async function serve(cmd: Extract<Command, { kind: 'serve' }>, io: Io): Promise<number> {
  tuneV8();
  const logger = createProcessLogger(logLevelFrom(cmd.logLevel), io.stdout);
  // The handlers go in before anything can say "listening": a supervisor that signals as soon as
  // it reads that line must never meet the default handler.
  let proxy: Running | undefined;
  let stopping = false;
  let unwritten = 0; // log bytes stdout did not take in time (a stalled reader), said at exit
  const flushLog = async (): Promise<void> => {
    unwritten += await flushLogger();
  };
  const exit = (code: number): Promise<never> =>
    flushLog().then(() => {
      if (unwritten > 0) io.stderr.write(`strangler: ${unwritten} bytes of log lines left unwritten: stdout did not take them within 1 s\n`);
      process.exit(code);
    });
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ msg: LOG.signalReceived, signal });
    if (proxy === undefined) {
      void exit(0); // still starting: nothing in flight yet
      return;
    }
    proxy.shutdown().then(
      () => exit(0),
      (err: unknown) => {
        logger.error({ msg: LOG.shutdownFailed, err });
        return exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => {
    logger.info({ msg: LOG.signalReceived, signal: 'SIGHUP' });
    void proxy?.reload('signal');
  });

  try {
    proxy = await startServing(cmd, logger, io.env);
  } catch (err) {
    if (err instanceof ConfigInvalidError) {
      logger.error({ msg: LOG.invalidConfig, errors: err.errors });
      await flushLog();
      io.stderr.write(`${formatConfigErrors(err.errors)}\n${cmd.configPath}: not starting, the config is not valid\n`);
      return exit(1);
    }
    logger.error({ msg: LOG.failedToStart, err });
    await flushLog();
    io.stderr.write(err instanceof AdminExposedError ? `strangler: ${err.message}\n` : startFailureLine(err));
    // Exits: whatever the failed start left open (a config watcher, a pool, a worker thread) must
    // not keep a process that serves nothing alive.
    return exit(1);
  }
  if (stopping) await proxy.shutdown().then(() => exit(0));
  return new Promise<number>(() => {}); // runs until a signal
}
