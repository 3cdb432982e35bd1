// The shadow reports this process holds, one per route prefix, fed by finished comparisons. A
// comparison event is also written to `server.shadowLog` (one JSON line, log-line.ts) when set,
// so reports survive restarts and can be merged across replicas (`strangler report --file`).
//
// A route's report counts from when its current shadow config was applied (applyShadows, told
// of every table swapped in): a table whose shadow config for the route differs (another key)
// starts the route's report afresh, counting from then; an unchanged one keeps it. reset()
// starts reports afresh on demand (POST /shadow/reset). Comparisons already in flight when a
// report starts afresh land in the new report. Each start afresh is a line of the shadow log
// too (log-line.ts, ShadowRestart), so a report read from the file counts the same way.
//
// It also holds the turns (turns.ts) that the comparisons of big HTML answers share, so that
// close() lets the comparisons in progress end, and their events reach the log, first.

import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { systemClock, type Clock } from '../util/clock.js';
import type { ShadowEvent } from './log-line.js';
import { ShadowLogWriter, type ShadowLogWriterOptions } from './log-writer.js';
import type { ExpectedRoute } from './merge.js';
import { emptyReport, record, type ShadowReport } from './report.js';
import { Turns } from './turns.js';
import { MismatchBodies } from './bodies.js';
import { LOG } from '../observability/log-messages.js';

/** A route that shadows, as a table has it: its prefix and its shadow config as one text. */
export interface AppliedShadow {
  readonly route: string;
  /** Equal keys: the same shadow config (nothing that the comparison depends on changed). */
  readonly key: string;
}

/** What reset() started afresh, and from when. */
export interface ResetOutcome {
  readonly reset: readonly string[];
  readonly since: string;
}

/** Emits 'event' (ShadowEvent) for every finished comparison. */
export class ShadowReports extends EventEmitter {
  readonly #byRoute = new Map<string, ShadowReport>();
  readonly #clock: Clock;
  readonly #started: string;
  /** The routes the live table shadows: their config key and since when it applies. */
  #applied = new Map<string, { key: string; since: string }>();
  readonly #logOptions: ShadowLogWriterOptions;
  #log: ShadowLogWriter | null = null;
  /** The event loop's turns, shared by the comparisons that take several steps. */
  /** The bodies of each route's last mismatches (this process's only; GET /shadow/mismatches). */
  readonly bodies: MismatchBodies;
  readonly turns = new Turns(undefined, (err) => this.#logOptions.logger?.warn({ msg: LOG.shadowCompareFailed, err }));

  /** `logger` and `metrics`: where the shadow log's failures are told and counted. */
  constructor(logOptions: ShadowLogWriterOptions = {}, clock: Clock = systemClock) {
    super();
    this.#logOptions = logOptions;
    this.#clock = clock;
    this.bodies = new MismatchBodies(clock);
    this.#started = this.#now();
  }

  #now(): string {
    return new Date(this.#clock.now()).toISOString();
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

  /**
   * The shadows of the table just swapped in. A route whose key is new or changed starts its
   * report afresh, counting from now; an unchanged one keeps its report and its since. A route
   * that no longer shadows keeps the report it has (history), but shadowing again later starts
   * afresh. Returns the routes started afresh.
   */
  applyShadows(shadows: readonly AppliedShadow[]): string[] {
    const now = this.#now();
    const keys = new Map<string, string>();
    for (const s of shadows) keys.set(s.route, keys.has(s.route) ? `${keys.get(s.route)}\n${s.key}` : s.key);
    const next = new Map<string, { key: string; since: string }>();
    const fresh: string[] = [];
    for (const [route, key] of keys) {
      const held = this.#applied.get(route);
      if (held !== undefined && held.key === key) {
        next.set(route, held);
        continue;
      }
      next.set(route, { key, since: now });
      this.#byRoute.delete(route);
      this.bodies.clear(route);
      fresh.push(route);
      this.#log?.write({ at: now, route, restart: 'config', config: createHash('sha256').update(key).digest('hex').slice(0, 16) });
    }
    for (const route of this.#applied.keys()) if (!next.has(route)) this.#log?.write({ at: now, route, restart: 'off' });
    this.#applied = next;
    return fresh;
  }

  /**
   * Starts the report of `route` (every route when undefined) afresh, counting from now. Null
   * when `route` neither shadows in the live table nor has a report.
   */
  reset(route?: string): ResetOutcome | null {
    const since = this.#now();
    const routes = route === undefined ? [...new Set([...this.#applied.keys(), ...this.#byRoute.keys()])].sort() : [route];
    if (route !== undefined && !this.#applied.has(route) && !this.#byRoute.has(route)) return null;
    for (const r of routes) {
      this.#byRoute.delete(r);
      this.bodies.clear(r);
      const held = this.#applied.get(r);
      if (held !== undefined) this.#applied.set(r, { key: held.key, since });
      this.#log?.write({ at: since, route: r, restart: 'reset' });
    }
    return { reset: routes, since };
  }

  /** The routes the live table shadows, each with since when its report counts. */
  shadowed(): ExpectedRoute[] {
    return [...this.#applied].map(([route, a]) => ({ route, since: a.since }));
  }

  record(event: ShadowEvent): void {
    let r = this.#byRoute.get(event.route);
    if (r === undefined) {
      r = emptyReport(event.route, this.#applied.get(event.route)?.since ?? this.#started);
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

  /**
   * Lets the comparisons in progress end (each records its event), then writes out the shadow
   * log and closes it. Not bounded here: the caller races it with its own drain timeout.
   */
  async close(): Promise<void> {
    await this.turns.idle();
    const log = this.#log;
    this.#log = null;
    if (log !== null) await log.end();
  }
}
