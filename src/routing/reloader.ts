// Reloads routes.yaml: read -> validate everything -> compile -> swap atomically. An invalid file
// never replaces the live table; it is logged with every error and kept as `lastRejected`.
// Reloads run one at a time; requests for a reload while one runs coalesce into one more pass.

import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatConfigError } from '../config/format.js';
import { parseConfig } from '../config/load.js';
import type { ConfigError, StranglerConfig } from '../config/types.js';
import type { UpstreamPools } from '../forward/pools.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { diffConfigs, formatChanges } from './diff.js';
import type { TableStore } from './store.js';
import { compileTable, shadowsOff, type RouteTable } from './table.js';

export type ReloadTrigger = 'watch' | 'signal' | 'admin';

export type ReloadOutcome =
  | { readonly result: 'success'; readonly version: string; readonly previousVersion: string; readonly changes: readonly string[] }
  | { readonly result: 'unchanged'; readonly version: string }
  | { readonly result: 'invalid'; readonly errors: readonly ConfigError[] }
  | { readonly result: 'error'; readonly message: string };

export interface RejectedAttempt {
  readonly at: string;
  readonly trigger: ReloadTrigger;
  readonly errors: readonly ConfigError[];
}

/** Server settings bound when the listeners started; a reload cannot move them. */
const RESTART_ONLY = ['port', 'host', 'adminPort', 'adminHost', 'maxHeaderBytes', 'headersTimeoutMs', 'requestTimeoutMs', 'keepAliveTimeoutMs'] as const;

/** How long a watch-triggered read waits to see the same bytes twice (an editor mid-write). */
const SETTLE_MS = 25;
const SETTLE_TRIES = 20;

export interface ReloaderDeps {
  readonly file: string;
  readonly env: NodeJS.ProcessEnv;
  readonly store: TableStore;
  readonly pools: UpstreamPools;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly config: StranglerConfig;
  /** Told of every table swapped in (settings that live outside the table follow it). */
  readonly onSwap?: (table: RouteTable) => void;
}

export class Reloader {
  readonly #deps: ReloaderDeps;
  #config: StranglerConfig;
  #lastRejected: RejectedAttempt | null = null;
  #running: Promise<ReloadOutcome> | null = null;
  #again: { trigger: ReloadTrigger; promise: Promise<ReloadOutcome> } | null = null;

  constructor(deps: ReloaderDeps) {
    this.#deps = deps;
    this.#config = deps.config;
  }

  /** The validated config behind the live table. */
  get config(): StranglerConfig {
    return this.#config;
  }

  get lastRejected(): RejectedAttempt | null {
    return this.#lastRejected;
  }

  reload(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    if (this.#running === null) {
      this.#running = this.#run(trigger).finally(() => {
        this.#running = null;
      });
      return this.#running;
    }
    // One is running: the file may have changed after it read it. Run once more when it ends.
    if (this.#again === null) {
      const after = this.#running.then(() => {
        this.#again = null;
        return this.reload(trigger);
      });
      this.#again = { trigger, promise: after };
    }
    return this.#again.promise;
  }

  async #read(trigger: ReloadTrigger): Promise<string> {
    let text = await readFile(this.#deps.file, 'utf8');
    if (trigger !== 'watch') return text;
    for (let i = 0; i < SETTLE_TRIES; i++) {
      await sleep(SETTLE_MS);
      const again = await readFile(this.#deps.file, 'utf8');
      if (again === text) return text;
      text = again;
    }
    return text;
  }

  async #run(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    const { file, env, store, pools, metrics, logger } = this.#deps;
    let text: string;
    try {
      text = await this.#read(trigger);
    } catch (err) {
      const errors = [{ file, line: 1, column: 1, path: '', message: `cannot read the file: ${(err as Error).message}` }];
      return this.#reject(trigger, errors);
    }
    const loaded = parseConfig(text, file, env);
    if (!loaded.ok) return this.#reject(trigger, loaded.errors);

    const live = store.current;
    if (loaded.version === live.version) {
      logger.info({ msg: 'config unchanged', trigger, version: live.version });
      metrics.configReloads.inc({ result: 'success' });
      this.#lastRejected = null;
      return { result: 'unchanged', version: live.version };
    }

    let next: RouteTable;
    try {
      next = compileTable(loaded.config, { version: loaded.version, file: live.file }, { pools, metrics, logger, previous: live });
    } catch (err) {
      metrics.configReloads.inc({ result: 'error' });
      logger.error({ msg: 'config reload failed', trigger, err });
      return { result: 'error', message: (err as Error).message };
    }
    const changes = formatChanges(diffConfigs(this.#config, loaded.config));
    store.swap(next);
    this.#deps.onSwap?.(next);
    this.#config = loaded.config;
    this.#lastRejected = null;
    metrics.configReloads.inc({ result: 'success' });
    metrics.setConfigVersion(next.version);
    // Pools no route uses any more finish their in-flight requests, then close.
    // A request still on the old table may retry or fall back for up to twice its route's timeout.
    pools.retain(new Set(next.upstreams.values()), 2 * Math.max(0, ...live.routes.map((r) => r.timeoutMs)) + 1000);

    const needsRestart = RESTART_ONLY.filter((k) => next.server[k] !== live.server[k]);
    logger.info({ msg: 'config reloaded', trigger, version: next.version, previousVersion: live.version, changes });
    for (const prefix of shadowsOff(loaded.config)) logger.warn({ msg: 'shadow off: it names the route\'s own upstream', route: prefix });
    if (needsRestart.length > 0) {
      logger.warn({ msg: 'these server settings take effect only after a restart', keys: needsRestart.map((k) => `server.${k}`) });
    }
    return { result: 'success', version: next.version, previousVersion: live.version, changes };
  }

  #reject(trigger: ReloadTrigger, errors: readonly ConfigError[]): ReloadOutcome {
    this.#lastRejected = { at: new Date().toISOString(), trigger, errors };
    this.#deps.metrics.configReloads.inc({ result: 'invalid' });
    this.#deps.logger.error({
      msg: 'config rejected, the live table stays',
      trigger,
      liveVersion: this.#deps.store.current.version,
      errors: errors.map(formatConfigError),
    });
    return { result: 'invalid', errors };
  }
}
