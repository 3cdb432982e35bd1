// Loads routes.yaml: read -> validate everything (including the effective step) -> compile ->
// swap atomically. The first load at start-up and every later one (file watch, SIGHUP,
// POST /reload) go through the same `#apply`. An invalid file never replaces the live table; it
// is logged with every error and kept as `lastRejected`. Loads run one at a time; requests for a
// reload while one runs coalesce into one more pass.

import type { Clock } from '../util/clock.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatConfigError } from '../config/format.js';
import { readConfigText } from '../config/load.js';
import { loadRoutes, type ValidConfig } from './source.js';
import { canonicalJson } from '../util/canonical-json.js';
import type { ConfigError } from '../config/types.js';
import type { UpstreamPools } from '../forward/pools.js';
import type { RateLimitStores } from '../identity/stores.js';
import type { Recorders } from '../record/recorders.js';
import type { Tracings } from '../tracing/tracings.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { compileTable } from './compile.js';
import { diffConfigs, formatChanges } from './diff.js';
import { routeLabel } from './host.js';
import { TableStore } from './store.js';
import type { RouteTable } from './table.js';
import { LOG } from '../observability/log-messages.js';
import { LogAggregator } from '../observability/aggregate.js';

export type ReloadTrigger = 'watch' | 'signal' | 'admin';

export type ReloadOutcome =
  | { readonly result: 'success'; readonly version: string; readonly previousVersion: string; readonly changes: readonly string[]; readonly restartNeeded?: readonly string[] }
  | { readonly result: 'unchanged'; readonly version: string }
  | { readonly result: 'invalid'; readonly errors: readonly ConfigError[] }
  | { readonly result: 'error'; readonly message: string };

export interface RejectedAttempt {
  readonly at: string;
  readonly trigger: ReloadTrigger;
  readonly errors: readonly ConfigError[];
}

/** The file at start-up is not valid: nothing starts. */
export class ConfigInvalidError extends Error {
  readonly errors: readonly ConfigError[];
  constructor(file: string, errors: readonly ConfigError[]) {
    super(`${file}: ${errors.length} error(s) in the config`);
    this.name = 'ConfigInvalidError';
    this.errors = errors;
  }
}

/** Server settings bound when the listeners started; a reload cannot move them. server.tls: its
 *  paths and minVersion (a changed certificate *file* is served by the certificate watcher). */
const RESTART_ONLY = ['port', 'host', 'adminPort', 'adminHost', 'maxHeaderBytes', 'headersTimeoutMs', 'requestTimeoutMs', 'keepAliveTimeoutMs', 'tls', 'http2', 'maxConcurrentStreams', 'workers'] as const;

/** How long a watch-triggered read waits to see the same bytes twice (an editor mid-write). */
const SETTLE_MS = 25;
const SETTLE_TRIES = 20;
/** A reload listener that keeps throwing is logged at most once per this long, with its count. */
const LISTENER_FAILED_LOG_MS = 60_000;

export interface ReloaderDeps {
  readonly file: string;
  readonly env: NodeJS.ProcessEnv;
  readonly pools: UpstreamPools;
  /** Where rate-limit buckets live (kept across reloads). */
  readonly stores?: RateLimitStores;
  /** The process's recording writers: a file no route names any more is closed after each swap. */
  readonly recorders?: Recorders;
  /** server.tracing's tracers (kept across reloads while unchanged). */
  readonly tracings?: Tracings;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Told of every table swapped in (settings that live outside the table follow it). */
  readonly onSwap?: (table: RouteTable) => void;
  /** Told of every reload's outcome (not the first load): the status's last reloads. */
  readonly onReload?: (outcome: ReloadOutcome, trigger: ReloadTrigger) => void;
}

type Trigger = ReloadTrigger | 'start';
type Failure = Extract<ReloadOutcome, { result: 'invalid' | 'error' }>;

export class Reloader {
  readonly #deps: ReloaderDeps;
  #store: TableStore | null = null;
  #lastRejected: RejectedAttempt | null = null;
  #running: Promise<ReloadOutcome> | null = null;
  #again: { trigger: ReloadTrigger; promise: Promise<ReloadOutcome> } | null = null;
  readonly #listenerFailures: LogAggregator;

  constructor(deps: ReloaderDeps) {
    this.#deps = deps;
    this.#listenerFailures = new LogAggregator(deps.logger, { clock: deps.clock, windowMs: LISTENER_FAILED_LOG_MS });
  }

  /** The live table's holder; there is one once `start()` resolved. */
  get store(): TableStore {
    if (this.#store === null) throw new Error('the reloader has not loaded a table yet (call start() first)');
    return this.#store;
  }

  get lastRejected(): RejectedAttempt | null {
    return this.#lastRejected;
  }

  /** The first load. Throws ConfigInvalidError for an invalid file, the compile error otherwise. */
  async start(): Promise<TableStore> {
    if (this.#store !== null) return this.#store;
    const outcome = await this.#load('start');
    if (outcome.result === 'invalid') throw new ConfigInvalidError(this.#deps.file, outcome.errors);
    if (outcome.result === 'error') throw new Error(outcome.message);
    return this.store;
  }

  /** The first load from a config validated elsewhere (a worker: the primary read the file). */
  startWith(loaded: ValidConfig): TableStore {
    const outcome = this.#apply(loaded, 'start');
    if (outcome.result === 'error') throw new Error(outcome.message);
    return this.store;
  }

  /** A later load from a config validated elsewhere (a worker told of the primary's reload). */
  applyValid(loaded: ValidConfig, trigger: ReloadTrigger): ReloadOutcome {
    return this.#apply(loaded, trigger);
  }

  reload(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    if (this.#running === null) {
      this.#running = this.#load(trigger).finally(() => {
        this.#running = null;
      });
      void this.#running.then((o) => this.#tell(o, trigger), () => {});
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

  /** onReload: a listener that throws is logged; the reload is done and nothing else depends on it. */
  #tell(outcome: ReloadOutcome, trigger: ReloadTrigger): void {
    try {
      this.#deps.onReload?.(outcome, trigger);
    } catch (err) {
      try {
        this.#listenerFailures.note('error', String((err as Error | null)?.message ?? err), { msg: LOG.reloadListenerFailed, trigger, result: outcome.result, err });
      } catch {
        // (a logger that throws: nothing left to tell)
      }
    }
  }

  async #read(trigger: Trigger): Promise<{ text: string } | { error: ConfigError }> {
    let read = await readConfigText(this.#deps.file);
    if (trigger !== 'watch' || 'error' in read) return read;
    for (let i = 0; i < SETTLE_TRIES; i++) {
      await sleep(SETTLE_MS);
      const again = await readConfigText(this.#deps.file);
      if ('text' in again && again.text === read.text) return read;
      read = again;
      if ('error' in read) return read;
    }
    return read;
  }

  async #load(trigger: Trigger): Promise<ReloadOutcome> {
    const read = await this.#read(trigger);
    if ('error' in read) return this.#reject(trigger, [read.error]);
    const loaded = await loadRoutes(read.text, this.#deps.file, this.#deps.env);
    if (!loaded.ok) return this.#reject(trigger, loaded.errors);
    return this.#apply(loaded, trigger);
  }

  /** The one way a valid config becomes the live table, at start-up and at every reload. */
  #apply(loaded: ValidConfig, trigger: Trigger): ReloadOutcome {
    const { pools, metrics, logger } = this.#deps;
    const live = this.#store?.current ?? null;
    if (live !== null && loaded.version === live.version) {
      logger.info({ msg: LOG.configUnchanged, trigger, version: live.version });
      metrics.reloaded('success');
      this.#lastRejected = null;
      return { result: 'unchanged', version: live.version };
    }

    let next: RouteTable;
    try {
      next = compileTable(loaded, { pools, metrics, logger, previous: live, clock: this.#deps.clock, stores: this.#deps.stores, tracings: this.#deps.tracings, recorders: this.#deps.recorders });
    } catch (err) {
      return this.#fail(trigger, err);
    }
    const changes = live === null ? [] : formatChanges(diffConfigs(live.config, next.config));
    if (this.#store === null) this.#store = new TableStore(next);
    else this.#store.swap(next);
    this.#deps.stores?.settle(next.server.rateLimitStore); // a store no longer named closes
    this.#deps.tracings?.settle(next.tracing); // an old tracer is flushed and shut down
    this.#deps.recorders?.settle(next.effective.routes.flatMap((r) => (r.record === null ? [] : [r.record]))); // a file no longer named closes
    this.#deps.onSwap?.(next);
    this.#lastRejected = null;
    metrics.reloaded('success');
    metrics.setConfigVersion(next.version);

    if (live !== null) {
      // Pools no route uses any more finish their in-flight requests, then close.
      // A request still on the old table may retry or fall back for up to twice its route's timeout.
      pools.retain(new Set(next.upstreams.values()), 2 * Math.max(0, ...live.routes.map((r) => r.timeoutMs)) + 1000);
      logger.info({ msg: LOG.configReloaded, trigger, version: next.version, previousVersion: live.version, changes });
    }
    for (const r of next.effective.routes) {
      if (r.shadowOff) logger.warn({ msg: LOG.shadowOffOwnUpstream, route: routeLabel(r) });
      if (r.fallbackOff) logger.warn({ msg: LOG.fallbackOffOwnUpstream, route: routeLabel(r) });
      if (r.canaryOff) logger.warn({ msg: LOG.canaryOffOwnUpstream, route: routeLabel(r) });
    }
    for (const [name, u] of next.effective.upstreams) {
      if (u.tls?.insecureSkipVerify === true) logger.warn({ msg: LOG.upstreamTlsUnverified, upstream: name });
    }
    const needsRestart = live === null ? [] : RESTART_ONLY.filter((k) => canonicalJson(next.server[k]) !== canonicalJson(live.server[k])).map((k) => `server.${k}`);
    if (needsRestart.length === 0) return { result: 'success', version: next.version, previousVersion: live?.version ?? '', changes };
    logger.warn({ msg: LOG.restartNeeded, keys: needsRestart });
    // (Also in POST /reload's answer: a success that leaves these settings as they were.)
    return { result: 'success', version: next.version, previousVersion: live?.version ?? '', changes, restartNeeded: needsRestart };
  }

  #fail(trigger: Trigger, err: unknown): Failure {
    this.#deps.metrics.reloaded('error');
    // At start-up the caller reports it ('failed to start').
    if (trigger !== 'start') this.#deps.logger.error({ msg: LOG.configReloadFailed, trigger, err });
    return { result: 'error', message: (err as Error).message };
  }

  #reject(trigger: Trigger, errors: readonly ConfigError[]): Failure {
    this.#deps.metrics.reloaded('invalid');
    // At start-up there is no live table to keep: the caller refuses to start and says why.
    if (trigger === 'start') return { result: 'invalid', errors };
    this.#lastRejected = { at: new Date().toISOString(), trigger, errors };
    this.#deps.logger.error({
      msg: LOG.configRejected,
      trigger,
      liveVersion: this.store.current.version,
      errors: errors.map(formatConfigError),
    });
    return { result: 'invalid', errors };
  }
}
