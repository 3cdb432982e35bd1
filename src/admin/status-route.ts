// GET /status: the migration status as JSON (status/build.ts), for the whole group of workers
// when there are several; GET /status/input: what it is built from (counts and histograms, which
// merge), so that `strangler status` merges several replicas by the same merge before building.

import express from 'express';
import type { TableStore } from '../routing/store.js';
import type { ShadowReports } from '../shadow/store.js';
import { mergeByRoute } from '../shadow/merge.js';
import type { StatusBook } from '../status/book.js';
import { buildStatus } from '../status/build.js';
import { mergeCells, type StatusInput } from '../status/merge.js';
import { legacyUpstreamOf, routeInputs } from '../status/table-input.js';
import type { AdminGroup } from './group.js';
import { settleDeferredLines } from '../observability/logger.js';

export interface StatusRouteDeps {
  readonly store: TableStore;
  readonly shadow: ShadowReports;
  readonly status?: StatusBook;
  readonly group?: AdminGroup;
}

export async function statusInput(deps: StatusRouteDeps): Promise<StatusInput> {
  const { group, status } = deps;
  const table = deps.store.current;
  settleDeferredLines(); // (the requests whose access lines wait to be made are counted first)
  const [cells, reports] =
    group === undefined
      ? [status?.snapshot() ?? mergeCells([]), deps.shadow.reports()]
      : await Promise.all([group.statusCells().then(mergeCells), group.shadowReports()]);
  return {
    version: table.version,
    legacyUpstream: legacyUpstreamOf(table),
    routes: routeInputs(table),
    cells,
    shadow: mergeByRoute(reports, deps.shadow.shadowed()),
    reloads: status?.reloads ?? [],
  };
}

export function statusRoutes(deps: StatusRouteDeps): express.Router {
  const router = express.Router();
  router.get('/status', async (_req, res) => {
    res.set('cache-control', 'no-store').json(buildStatus(await statusInput(deps), new Date()));
  });
  router.get('/status/input', async (_req, res) => {
    res.set('cache-control', 'no-store').json(await statusInput(deps));
  });
  return router;
}
