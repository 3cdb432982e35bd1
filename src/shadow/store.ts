// The shadow reports this process holds, one per route prefix, fed by finished comparisons. A
// comparison event is also appended to `server.shadowLog` (one JSON line) when set, so reports
// survive restarts and can be merged across replicas (`strangler report --file`).

import { EventEmitter } from 'node:events';
import { appendFile } from 'node:fs';
import { emptyReport, record, type ShadowEvent, type ShadowReport } from './report.js';

/** Emits 'event' (ShadowEvent) for every finished comparison. */
export class ShadowReports extends EventEmitter {
  readonly #byRoute = new Map<string, ShadowReport>();
  readonly #since = new Date().toISOString();
  #logPath: string | null = null;
  #logFailures = 0;

  /** `server.shadowLog` of the live table (null: no log). */
  setLog(path: string | null): void {
    this.#logPath = path;
  }

  get logFailures(): number {
    return this.#logFailures;
  }

  record(event: ShadowEvent): void {
    let r = this.#byRoute.get(event.route);
    if (r === undefined) {
      r = emptyReport(event.route, this.#since);
      this.#byRoute.set(event.route, r);
    }
    record(r, event);
    this.emit('event', event);
    if (this.#logPath !== null) {
      appendFile(this.#logPath, JSON.stringify(event) + '\n', (err) => {
        if (err) this.#logFailures++;
      });
    }
  }

  /** The current reports (snapshots: deep copies, safe to hand out and merge). */
  reports(): ShadowReport[] {
    return [...this.#byRoute.values()].map((r) => structuredClone(r));
  }
}
