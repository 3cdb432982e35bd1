// The admin API (admin port only): health, readiness, metrics, the live table, the log level.
// Express is fine here; it never sees data-path traffic.

import { redactConfig } from '../config/redact.js';
import express from 'express';
import type { Metrics } from '../observability/metrics.js';
import type { Reloader } from '../routing/reloader.js';
import type { TableStore } from '../routing/store.js';
import type { ShadowReports } from '../shadow/store.js';
import { describeTable } from '../routing/describe.js';
import { mergeByRoute } from '../shadow/merge.js';
import type { ShadowReport } from '../shadow/report.js';
import { summarize } from '../shadow/summary.js';
import { bearerAuth } from './auth.js';
import { FailedSignIns } from './session/failed-sign-ins.js';
import { sessionRoutes } from './session/routes.js';
import { systemClock, type Clock } from '../util/clock.js';
import type { AdminGroup } from './group.js';
import { adminGuard } from './guard.js';
import { renderShadowPage, SHADOW_PAGE_CSP } from './shadow-page.js';
import { shadowReset } from './shadow-reset.js';
import { dashboardRoutes } from './dashboard/routes.js';
import { logLevelRoutes } from './log-level.js';
import { statusRoutes } from './status-route.js';
import type { StatusBook } from '../status/book.js';
import { settleDeferredLines, type Logger } from '../observability/logger.js';
import { newRequestId } from '../forward/headers.js';

export interface Lifecycle {
  ready: boolean;
  draining: boolean;
  /** The drain timed out: the connections still open are being closed by the proxy. */
  cut?: boolean;
}

export interface AdminDeps {
  readonly store: TableStore;
  readonly metrics: Metrics;
  readonly lifecycle: Lifecycle;
  readonly reloader: Reloader;
  /** The shadow-compare reports (GET /shadow/report, GET /shadow). */
  readonly shadow: ShadowReports;
  readonly token: string | undefined;
  /** The address the admin port is bound to: a Host naming it is the admin's own. */
  readonly adminHost: string;
  /** Several workers (node:cluster): the admin answers for the group. */
  readonly group?: AdminGroup;
  /** The process's logger (GET and PUT /log-level). */
  readonly logger: Logger;
  /** The migration status's figures (GET /status); absent: no traffic figures. */
  readonly status?: StatusBook;
  /** The clock of the failed sign-ins' log line (tests); the system's otherwise. */
  readonly clock?: Clock;
  /** Where the process listens (flags and environment win over the file, and a reload does not
   *  move a listener): shown in GET /routes' server section instead of the file's values. */
  readonly listening?: () => Partial<Record<'port' | 'host' | 'adminPort' | 'adminHost' | 'workers', number | string>>;
}

export function createAdminApp(deps: AdminDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('json spaces', 2);
  // Host (DNS rebinding) and Origin (cross-site POST) checks come before everything, the token included.
  app.use(adminGuard(() => ({ adminHost: deps.adminHost, allowedHosts: deps.store.current.server.adminAllowedHosts })));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', (_req, res) => {
    const { ready, draining } = deps.lifecycle;
    if (ready && !draining) res.json({ status: 'ready', version: deps.store.current.version });
    else res.status(503).json({ status: draining ? 'draining' : 'starting' });
  });

  // A browser signs in with the token here (POST /session) and gets a cookie bearerAuth accepts.
  const failures = new FailedSignIns(deps.logger, deps.clock ?? systemClock);
  app.use(sessionRoutes(deps.token, failures));
  app.use(bearerAuth(deps.token, failures));

  const { group } = deps;
  // GET / (the migration dashboard) and GET /shadow/mismatches (its side-by-side bodies).
  app.use(dashboardRoutes(deps.shadow, group));

  app.get('/metrics', async (_req, res) => {
    settleDeferredLines(); // (the requests whose access lines wait to be made are counted first)
    if (group === undefined) res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
    else {
      const m = await group.metrics();
      res.type(m.contentType).send(m.text);
    }
  });

  app.use(statusRoutes(deps)); // GET /status, GET /status/input

  app.get('/routes', (_req, res) => {
    const described = describeTable(deps.store.current);
    res.json({ ...described, server: { ...described.server, ...deps.listening?.() }, lastRejected: deps.reloader.lastRejected, ...(group === undefined ? {} : { workers: group.workers() }) });
  });

  // The validated config the live table was compiled from (what `strangler check --admin` diffs against).
  app.get('/config', (_req, res) => {
    const table = deps.store.current;
    res.json({ version: table.version, config: redactConfig(table.config) });
  });

  // The shadow report: one merged report per route that has data, plus an empty one (counting
  // since its shadow config was applied) for each route of the live table that shadows but has none yet.
  const shadowReports = async (): Promise<ShadowReport[]> =>
    mergeByRoute(group === undefined ? deps.shadow.reports() : await group.shadowReports(), deps.shadow.shadowed());

  app.get('/shadow/report', async (_req, res) => {
    const generatedAt = new Date().toISOString();
    const reports = await shadowReports();
    res.set('cache-control', 'no-store').json({
      generatedAt,
      routes: reports.map((report) => ({ route: report.route, report, summary: summarize(report) })),
    });
  });

  app.get('/shadow', async (_req, res) => {
    const reports = await shadowReports();
    res
      .status(200)
      .set({
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': SHADOW_PAGE_CSP,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      })
      .send(renderShadowPage(reports, new Date()));
  });

  app.use(logLevelRoutes(deps.logger, group === undefined ? undefined : (level) => group.logLevel(level)));

  app.post('/shadow/reset', shadowReset(deps.shadow, group === undefined ? undefined : (route) => group.shadowReset(route)));

  app.post('/reload', async (_req, res) => {
    const reloaded = group === undefined ? null : await group.reload('admin');
    const reloadedNow = reloaded?.outcome ?? (await deps.reloader.reload('admin'));
    // (One shape for a 200: an unchanged file has changed nothing, `changes: []`.)
    const outcome = reloadedNow.result === 'unchanged' ? { ...reloadedNow, changes: [] } : reloadedNow;
    switch (outcome.result) {
      case 'success':
      case 'unchanged':
        if (reloaded === null) res.json(outcome);
        else if (reloaded.confirmed) res.json({ ...outcome, workers: reloaded.workers });
        else {
          res.status(504).json({
            ...outcome, workers: reloaded.workers, error: 'workers_not_confirmed',
            message: 'the primary runs the new version; some workers have not confirmed it yet (they keep being sent it; a replaced worker starts on it)',
            requestId: newRequestId(),
          });
        }
        return;
      case 'invalid':
        res.status(422).json({ ...outcome, error: 'invalid_config', message: `the file has ${outcome.errors.length} error(s); the live table stays`, requestId: newRequestId() });
        return;
      case 'error':
        res.status(500).json({ ...outcome, error: 'reload_failed', requestId: newRequestId() });
    }
  });

  app.use((req, res) => {
    res.status(404).json({ error: 'not_found', message: `no admin endpoint ${req.method} ${req.path}`, requestId: newRequestId() });
  });
  return app;
}
