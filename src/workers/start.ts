// Which process this is and what it runs: one worker (the default) is today's single process,
// with no cluster at all; several make this process the primary (primary.ts), and a process forked
// by it a worker (worker.ts).

import cluster from 'node:cluster';
import { startStrangler } from '../bootstrap.js';
import type { Command } from '../cli/args.js';
import { stdoutShared, type Logger } from '../observability/logger.js';
import type { ReloadTrigger } from '../routing/reloader.js';
import { loadRoutesFile } from '../routing/source.js';
import { workerCount, type WorkersSetting } from './count.js';
import { startPrimary } from './primary.js';
import { runWorker } from './worker.js';

export interface Running {
  reload(trigger: ReloadTrigger): Promise<unknown>;
  shutdown(): Promise<void>;
}

type Serve = Extract<Command, { kind: 'serve' }>;

/** server.workers in the file (1 when it is absent, or when the file is not valid: the single
 *  process then refuses it with every error, as it always has). */
async function fileSetting(file: string, env: NodeJS.ProcessEnv): Promise<WorkersSetting> {
  const loaded = await loadRoutesFile(file, env);
  return loaded.ok ? (loaded.config.server?.workers ?? 1) : 1;
}

export async function startServing(cmd: Serve, logger: Logger, env: NodeJS.ProcessEnv): Promise<Running> {
  if (cluster.isWorker) {
    stdoutShared();
    // The primary is gone (its IPC channel closed): drain like on SIGTERM.
    process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
    try {
      const proxy = await runWorker({ configPath: cmd.configPath, logger, env, port: cmd.port, host: cmd.host });
      return { reload: async () => undefined, shutdown: () => proxy.shutdown() }; // the primary reloads
    } catch (err) {
      process.disconnect();
      throw err;
    }
  }
  const count = workerCount(cmd.workers ?? (await fileSetting(cmd.configPath, env)));
  if (count <= 1) return startStrangler({ ...cmd, logger, env, processMetrics: true });
  stdoutShared();
  return startPrimary({ configPath: cmd.configPath, logger, count, adminPort: cmd.adminPort, adminHost: cmd.adminHost, adminToken: cmd.adminToken, env });
}
