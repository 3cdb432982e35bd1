// The process's recording writers, one per file, kept across reloads like the upstream pools: a
// table naming the same file gets the same writer (a route's recording follows reloads), and a
// writer whose file no route names any more is closed once the new table is live (settle). A
// worker (server.workers) writes its own file (file-names.ts). Drops and write failures are
// counted per route and reason; failures are logged at most once a second per file.

import { LogAggregator } from '../observability/aggregate.js';
import { LOG } from '../observability/log-messages.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { EffectiveRecord } from '../routing/types.js';
import { systemClock, type Clock } from '../util/clock.js';
import { workerFile } from './file-names.js';
import { nodeFileSystem, type RecordFileSystem } from './file-system.js';
import { RouteRecorder, type RecorderEvents } from './recorder.js';
import { RecordWriter, type RecordWriterDeps } from './writer.js';

/** Defaults of a writer's queue bound. */
export const RECORD_QUEUE_DEFAULTS = { maxQueuedBytes: 16 * 1024 * 1024, maxQueuedLines: 10_000, flushDelayMs: 100 };

export interface RecordersOptions {
  /** Tests: the disk (default node:fs). */
  readonly fs?: RecordFileSystem;
  readonly maxQueuedBytes?: number;
  readonly maxQueuedLines?: number;
  /** How long a queued line waits for others to share its write (default 100 ms; 0: the next turn). */
  readonly flushDelayMs?: number;
  /** A worker's slot: its files are `NAME.w<slot>.EXT`; null (default): a single process. */
  readonly slot?: number | null;
}

export interface RecordersDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock?: Clock;
}

export class Recorders {
  readonly #clock: Clock;
  readonly #slot: number | null;
  readonly #writerDeps: RecordWriterDeps;
  readonly #writers = new Map<string, RecordWriter>();
  readonly #events: RecorderEvents;

  constructor(deps: RecordersDeps, opts: RecordersOptions = {}) {
    this.#clock = deps.clock ?? systemClock;
    this.#slot = opts.slot ?? null;
    const warnings = new LogAggregator(deps.logger, { clock: this.#clock });
    const { metrics } = deps;
    this.#writerDeps = {
      fs: opts.fs ?? nodeFileSystem,
      clock: this.#clock,
      maxQueuedBytes: opts.maxQueuedBytes ?? RECORD_QUEUE_DEFAULTS.maxQueuedBytes,
      maxQueuedLines: opts.maxQueuedLines ?? RECORD_QUEUE_DEFAULTS.maxQueuedLines,
      flushDelayMs: opts.flushDelayMs ?? RECORD_QUEUE_DEFAULTS.flushDelayMs,
      written: (route, n) => metrics.recorded.inc({ route }, n),
      dropped: (route, reason) => metrics.recordDropped.inc({ route, reason }),
      failed: (file, err) => warnings.note('warn', file, { msg: LOG.recordWriteFailed, file, error: err.message }),
    };
    this.#events = {
      captureFailed: (route, err) => {
        metrics.recordDropped.inc({ route, reason: 'error' });
        warnings.note('error', `capture ${route}`, { msg: LOG.recordCaptureFailed, route, error: err instanceof Error ? err.message : String(err) });
      },
      busy: (route) => metrics.recordDropped.inc({ route, reason: 'busy' }),
    };
  }

  /** A route's recorder, writing through its file's one writer. */
  recorderFor(settings: EffectiveRecord, route: string, host: string | null): RouteRecorder {
    const file = workerFile(settings.file, this.#slot);
    let writer = this.#writers.get(file);
    if (writer === undefined || writer.closed) this.#writers.set(file, (writer = new RecordWriter(file, settings.maxFileBytes, this.#writerDeps)));
    return new RouteRecorder(settings, route, host, writer, this.#clock, this.#events);
  }

  /** The live table's routes record with `records`: every other file's writer closes, and a file
   *  several routes record to rotates at the smallest maxFileBytes they give (not the last one's). */
  settle(records: Iterable<Pick<EffectiveRecord, 'file' | 'maxFileBytes'>>): void {
    const live = new Map<string, number>();
    for (const r of records) {
      const file = workerFile(r.file, this.#slot);
      live.set(file, Math.min(live.get(file) ?? Infinity, r.maxFileBytes));
    }
    for (const [file, writer] of this.#writers) {
      const max = live.get(file);
      if (max !== undefined) {
        writer.maxFileBytes = max;
        continue;
      }
      this.#writers.delete(file);
      void writer.close();
    }
  }

  /** Writes out what is queued and closes every file. */
  async closeAll(): Promise<void> {
    const writers = [...this.#writers.values()];
    this.#writers.clear();
    await Promise.all(writers.map((w) => w.close()));
  }

  /** Tests: the writer of `file` (as configured), if open. */
  writerOf(file: string): RecordWriter | undefined {
    return this.#writers.get(workerFile(file, this.#slot));
  }
}
