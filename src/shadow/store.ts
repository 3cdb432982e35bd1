// The shadow reports this process holds, one per route prefix, fed by finished comparisons. A
// comparison event is also written to `server.shadowLog` (one JSON line, log-line.ts) when set,
// so reports survive restarts and can be merged across replicas (`strangler report --file`).

import { EventEmitter } from 'node:events';
import { ShadowLogWriter, type ShadowEvent, type ShadowLogWriterOptions } from './log-line.js';
import { emptyReport, record, type ShadowReport } from './report.js';

/** Emits 'event' (ShadowEvent) for every finished comparison. */
export class ShadowReports extends EventEmitter {
  readonly #byRoute = new Map<string, ShadowReport>();
  readonly #since = new Date().toISOString();
  readonly #logOptions: ShadowLogWriterOptions;
  #log: ShadowLogWriter | null = null;

  /** `logger` and `metrics`: where the shadow log's failures are told and counted. */
  constructor(logOptions: ShadowLogWriterOptions = {}) {
    super();
    this.#logOptions = logOptions;
  }

  /** `server.shadowLog` of the live table (null: no log). The same path keeps its writer. */
  setLog(path: string | null): void {
    if (this.#log?.path === path) return;
    void this.#log?.end();
    this.#log = path === null ? null : new ShadowLogWriter(path, this.#logOptions);
  }

  /** The shadow log's writer (null: no log). */
  get log(): ShadowLogWriter | null {
    return this.#log;
  }

  record(event: ShadowEvent): void {
    let r = this.#byRoute.get(event.route);
    if (r === undefined) {
      r = emptyReport(event.route, this.#since);
      this.#byRoute.set(event.route, r);
    }
    record(r, event);
    this.emit('event', event);
    this.#log?.write(event);
  }

  /** The current reports (snapshots: deep copies, safe to hand out and merge). */
  reports(): ShadowReport[] {
    return [...this.#byRoute.values()].map((r) => structuredClone(r));
  }

  /** Writes out the shadow log and closes it. */
  close(): Promise<void> {
    const log = this.#log;
    this.#log = null;
    return log === null ? Promise.resolve() : log.end();
  }
}
