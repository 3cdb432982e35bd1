// The dashboard's admin endpoints (behind the admin token, like every page of the admin port):
// GET / (the page; it fetches /status, /shadow/report and /shadow/mismatches as JSON) and
// GET /shadow/mismatches?route=PREFIX (the bodies of the route's last mismatches, kept by this
// process: bodies.ts).

import express from 'express';
import { newRequestId } from '../../forward/headers.js';
import type { ShadowReports } from '../../shadow/store.js';
import { DASHBOARD_CSP, renderDashboardPage } from './page.js';

export function dashboardRoutes(shadow: ShadowReports): express.Router {
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
  router.get('/shadow/mismatches', (req, res) => {
    const route = req.query['route'];
    if (typeof route !== 'string' || route === '') {
      res.status(400).json({ error: 'bad_request', message: 'give the route: /shadow/mismatches?route=PREFIX', requestId: newRequestId() });
      return;
    }
    res.set('cache-control', 'no-store').json({ route, mismatches: shadow.bodies.list(route) });
  });
  return router;
}
