// What the admin API asks of a group of workers (node:cluster) when the proxy runs several: the
// primary serves the admin port and answers for all of them. Absent: a single process.

import type { ReloadOutcome, ReloadTrigger } from '../routing/reloader.js';
import type { ShadowReport } from '../shadow/report.js';
import type { StatusCells } from '../status/cells.js';
import type { KeptMismatch } from '../shadow/bodies.js';

export interface GroupReload {
  readonly outcome: ReloadOutcome;
  /** Every worker confirmed the version (false: the bounded wait ran out). */
  readonly confirmed: boolean;
  readonly workers: readonly unknown[];
}

export interface AdminGroup {
  /** Reloads the file and waits (bounded) until every worker runs the result. */
  reload(trigger: ReloadTrigger): Promise<GroupReload>;
  /** The Prometheus text of every worker merged, with the primary's own metrics. */
  metrics(): Promise<{ readonly contentType: string; readonly text: string }>;
  /** Every worker's shadow reports (not merged yet). */
  shadowReports(): Promise<ShadowReport[]>;
  /** The bodies of a route's last mismatches, every worker's merged (newest first, bounded like one process's). */
  mismatches(route: string): Promise<KeptMismatch[]>;
  /** Every worker's migration-status cells (not merged yet). */
  statusCells(): Promise<StatusCells[]>;
  /** Starts the workers' reports afresh like the primary's (POST /shadow/reset). */
  shadowReset(route: string | undefined): void;
  /** Sets every worker's log level, now and for each worker started later (PUT /log-level). */
  logLevel(level: string): void;
  /** Each worker: its id, pid and the version it runs. */
  workers(): readonly unknown[];
}
