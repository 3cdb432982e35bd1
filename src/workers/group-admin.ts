// The admin API's view of a group of workers (admin/group.ts), built on the primary's reloader
// and WorkerGroup: a reload reaches every worker before it is answered (bounded), /metrics and
// /shadow/report (and /status, /shadow/mismatches) gather every worker's over IPC (bounded). A
// worker that does not answer in time, or died, stays in /metrics' counters by its last values
// (carried-counters.ts), and in /shadow/report and /status by its last answer (carried-answers.ts;
// a dead one's counts since start, not its last 5 minutes); /shadow/mismatches leaves it out.

import { AggregatorRegistry } from 'prom-client';
import type { AdminGroup, GroupReload } from '../admin/group.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { LOG } from '../observability/log-messages.js';
import type { Reloader, ReloadTrigger } from '../routing/reloader.js';
import type { ValidConfig } from '../routing/source.js';
import type { TableStore } from '../routing/store.js';
import type { RouteTable } from '../routing/table.js';
import type { ShadowReport } from '../shadow/report.js';
import { mergeKept, type KeptMismatch } from '../shadow/bodies.js';
import { mergeByRoute, type ExpectedRoute } from '../shadow/merge.js';
import type { WorkerGroup } from './group.js';
import { CarriedCounters } from './carried-counters.js';
import type { MetricsAnswer, ShadowAnswer } from './messages.js';
import type { StatusCells } from '../status/cells.js';
import { mergeCells, retiredCells } from '../status/merge.js';
import { CarriedAnswers } from './carried-answers.js';

/** How long a reload waits for every worker to confirm, and an admin question for the answers. */
export const CONFIRM_MS = 10_000;
const ASK_MS = 5_000;

/** Series the primary owns: its values win, the workers' copies are left out. The process
 *  metrics that describe the group as one process, not a sum: when it started (the workers' are
 *  left out by prom-client) and its file-descriptor limit (summed, two workers read twice the
 *  ulimit). The others (CPU, memory, open fds, heap) stay the workers' sum. */
const PRIMARY_OWNED = new Set(['strangler_config_reloads_total', 'strangler_config_last_reload_successful', 'strangler_config_info', 'strangler_workers', 'strangler_canary_percent', 'process_start_time_seconds', 'process_max_fds']);

export function validOf(t: RouteTable): ValidConfig {
  return { ok: true, file: t.file, config: t.config, version: t.version, effective: t.effective };
}

export interface GroupAdminDeps {
  readonly live: Reloader;
  readonly store: TableStore;
  readonly group: WorkerGroup;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** The routes the live table shadows, each with since when its shadow config applied (the
   *  primary's own ShadowReports). */
  readonly shadowed: () => readonly ExpectedRoute[];
}

export function groupAdmin(deps: GroupAdminDeps): AdminGroup {
  const { live, store, group } = deps;
  const carried = new CarriedCounters();
  const reports = new CarriedAnswers<ShadowReport[]>({ fold: (a, b) => mergeByRoute([...a, ...b]), retire: (r) => r });
  const cells = new CarriedAnswers<StatusCells>({ fold: (a, b) => mergeCells([a, b]), retire: retiredCells });
  const liveIds = (): Set<number> => new Set(group.views().map((w) => w.id));
  return {
    async reload(trigger: ReloadTrigger): Promise<GroupReload> {
      const outcome = await live.reload(trigger);
      if (outcome.result !== 'success' && outcome.result !== 'unchanged') return { outcome, confirmed: true, workers: group.views() };
      if (outcome.result === 'success') group.broadcast(validOf(store.current), trigger);
      const confirmed = await group.waitForVersion(outcome.version, CONFIRM_MS);
      if (!confirmed) deps.logger.warn({ msg: LOG.workerReloadTimeout, version: outcome.version, waitedMs: CONFIRM_MS, workers: group.views() });
      return { outcome, confirmed, workers: group.views() };
    },
    async metrics() {
      const theirs = await group.askEach<MetricsAnswer>('metrics', ASK_MS);
      const answers = theirs.map((a) => ({ worker: a.worker, metrics: a.value.filter((m) => !PRIMARY_OWNED.has(m.name)) }));
      const summed = carried.sum(answers, liveIds());
      // (One process's values: 'first', whatever aggregator they carry; process_start_time_seconds says 'omit'.)
      const own = (await deps.metrics.registry.getMetricsAsJSON()).filter((m) => PRIMARY_OWNED.has(m.name)).map((m) => ({ ...m, aggregator: 'first' as const }));
      const merged = AggregatorRegistry.aggregate([...summed, own]);
      return { contentType: merged.contentType, text: await merged.metrics() };
    },
    async shadowReports(): Promise<ShadowReport[]> {
      const theirs = await group.askEach<ShadowAnswer>('shadow', ASK_MS);
      // A report kept from before its route's shadow config changed counted by the old rules: the
      // workers started that report afresh, and so does what is kept of them.
      const since = new Map(deps.shadowed().map((e) => [e.route, e.since]));
      reports.update((list) => list.filter((r) => !(r.since < (since.get(r.route) ?? ''))));
      return reports.answers(theirs.map((a) => ({ worker: a.worker, value: a.value.reports })), liveIds()).flat();
    },
    mismatches: async (route) => mergeKept(await group.ask<KeptMismatch[]>('mismatches', ASK_MS, route)),
    statusCells: async () => cells.answers(await group.askEach<StatusCells>('status', ASK_MS), liveIds()),
    shadowReset(route) {
      group.shadowReset(route ?? null);
      reports.update((list) => (route === undefined ? [] : list.filter((r) => r.route !== route)));
    },
    logLevel: (level) => group.logLevel(level),
    workers: () => group.views(),
  };
}
