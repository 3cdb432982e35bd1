// The routes file watched from before its first read, so an edit made while the process starts
// is never lost: a change seen before the process runs is held, then reloaded once it does. (A
// watch created after the first read has that read's content as its baseline: an edit in
// between is never reported again.) Used by a single process and by the workers' primary alike.

import path from 'node:path';
import { watchConfigFile, type ConfigWatcher } from './watch.js';

export class WatchFromStart {
  readonly #watcher: ConfigWatcher;
  #reload: (() => void) | null = null;
  #changedEarly = false;

  constructor(file: string, watch: typeof watchConfigFile = watchConfigFile) {
    this.#watcher = watch(path.resolve(file), () => {
      if (this.#reload !== null) this.#reload();
      else this.#changedEarly = true;
    });
  }

  /** From now on a change reloads at once; one seen before is reloaded now. */
  running(reload: () => void): void {
    this.#reload = reload;
    if (!this.#changedEarly) return;
    this.#changedEarly = false;
    reload();
  }

  close(): void {
    this.#watcher.close();
  }
}
