// The dashboard's admin endpoints (behind the admin token, like every page of the admin port):
// GET / (the page; it fetches /status, /shadow/report and /shadow/mismatches as JSON) and
// GET /shadow/mismatches?route=LABEL (the bodies of the route's last mismatches, kept by this
// process: bodies.ts; with workers, every worker's, asked over IPC and merged). `at`, `method`
// and `path` narrow the answer to one mismatch: the dashboard asks for one when it is opened.

import express from 'express';
import { newRequestId } from '../../forward/headers.js';
import type { ShadowReports } from '../../shadow/store.js';
import type { AdminGroup } from '../group.js';
import { DASHBOARD_CSP, renderDashboardPage } from './page.js';

/** `group`: several workers (the bodies are kept in each worker, not here). */
export function dashboardRoutes(shadow: ShadowReports, group?: Pick<AdminGroup, 'mismatches'>): express.Router {
  const router = express.Router();
  router.get('/', (_req, res) => {
    res
      .status(200)
      .set({
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': DASHBOARD_CSP,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      })
      .send(renderDashboardPage());
  });
  router.get('/shadow/mismatches', async (req, res) => {
    const route = req.query['route'];
    if (typeof route !== 'string' || route === '') {
      res.status(400).json({ error: 'bad_request', message: 'give the route: /shadow/mismatches?route=LABEL (host + prefix, or the prefix)', requestId: newRequestId() });
      return;
    }
    const all = group === undefined ? shadow.bodies.list(route) : await group.mismatches(route);
    const want = (k: 'at' | 'method' | 'path', v: string): boolean => typeof req.query[k] !== 'string' || req.query[k] === v;
    const mismatches = all.filter((m) => want('at', m.at) && want('method', m.method) && want('path', m.path));
    res.set('cache-control', 'no-store').json({ route, mismatches });
  });
  return router;
}
