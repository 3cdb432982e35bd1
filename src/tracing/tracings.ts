// The Tracing of each distinct server.tracing config, owned by the process like the upstream pools
// and rate-limit stores: a reload with the same tracing config keeps the same provider (and its
// queue); another config gets a new one, and the old one is flushed and shut down once the new
// table is live (the reloader settles after each swap).

import { canonicalJson } from '../util/canonical-json.js';
import type { Logger } from '../observability/logger.js';
import type { ResolvedTracing } from '../routing/defaults.js';
import type { DropCounter } from './exporter.js';
import { Tracing } from './tracing.js';
import { LOG } from '../observability/log-messages.js';
import { LogAggregator } from '../observability/aggregate.js';

/** Dropped spans are logged at most once per reason in this window (they are counted each). */
export const DROPS_TOLD_EVERY_MS = 10_000;

export interface TracingsDeps {
  readonly logger: Logger;
  readonly dropped: DropCounter;
  /** Tests: how long spans wait to be batched. */
  readonly scheduledDelayMs?: number;
}

export class Tracings {
  readonly #deps: TracingsDeps;
  readonly #byKey = new Map<string, Tracing>();

  constructor(deps: TracingsDeps) {
    this.#deps = deps;
  }

  /** The Tracing for `cfg` (null: tracing off, null). */
  tracingFor(cfg: ResolvedTracing | null): Tracing | null {
    if (cfg === null) return null;
    const key = canonicalJson(cfg);
    let t = this.#byKey.get(key);
    if (t === undefined) {
      const { scheduledDelayMs, logger } = this.#deps;
      const onWorkerLost = (reason: string): void => logger.warn({ msg: LOG.tracingExportWorkerLost, endpoint: cfg.otlpEndpoint, reason });
      // Counted per span; told too, one line per reason at most every 10 s (a dead collector).
      const told = new LogAggregator(logger, { windowMs: DROPS_TOLD_EVERY_MS });
      const dropped: DropCounter = {
        inc: (labels, n) => {
          this.#deps.dropped.inc(labels, n);
          told.note('warn', labels.reason, { msg: LOG.tracingSpansDropped, endpoint: cfg.otlpEndpoint, reason: labels.reason }); // (count: drops; the metric counts spans)
        },
      };
      this.#byKey.set(key, (t = new Tracing(cfg, { dropped, onWorkerLost, ...(scheduledDelayMs === undefined ? {} : { scheduledDelayMs }) })));
    }
    return t;
  }

  /** The live table uses `live` (null: none): every other Tracing is flushed and shut down
   *  (a request still on the old table may end spans after: those are dropped). */
  settle(live: Tracing | null): void {
    for (const [key, t] of this.#byKey) {
      if (t === live) continue;
      this.#byKey.delete(key);
      void this.#stop(t);
    }
  }

  /** Shutdown: every queued span is exported (each export bounded by its timeout). */
  async closeAll(): Promise<void> {
    const all = [...this.#byKey.values()];
    this.#byKey.clear();
    await Promise.all(all.map((t) => this.#stop(t)));
  }

  async #stop(t: Tracing): Promise<void> {
    try {
      await t.shutdown();
    } catch (err) {
      this.#deps.logger.warn({ msg: LOG.tracingShutdownFailed, endpoint: t.config.otlpEndpoint, err: (err as Error).message });
    }
  }
}
