// How many worker processes serve the public port: `--workers`, then STRANGLER_WORKERS, then
// server.workers in the file, then 1. Each takes an integer >= 1 or `auto` (one per core).

import os from 'node:os';

export type WorkersSetting = number | 'auto';

/** A flag's or the environment's text as a setting, or what is wrong with it (undefined: not given). */
export function parseWorkers(value: string | undefined, what: string): WorkersSetting | undefined | { error: string } {
  if (value === undefined || value === '') return undefined;
  if (value === 'auto') return 'auto';
  if (/^\d+$/.test(value) && Number(value) >= 1 && Number.isSafeInteger(Number(value))) return Number(value);
  return { error: `${what} must be an integer >= 1 or auto (got '${value}')` };
}

/** The number of workers a setting means on this machine. */
export function workerCount(setting: WorkersSetting): number {
  return setting === 'auto' ? Math.max(1, os.availableParallelism()) : setting;
}
