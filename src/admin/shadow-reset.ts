// POST /shadow/reset[?route=PREFIX]: starts the shadow report of one route (or of every route)
// afresh. 200 {"reset":[prefixes],"since":ISO}; a route that neither shadows in the live table nor
// has a report: 404 no_route; `route` given twice: 400 bad_request. Behind the admin token like
// every admin endpoint but /healthz and /readyz (the app mounts it after bearerAuth).

import type { Request, Response } from 'express';
import { newRequestId } from '../forward/headers.js';
import type { ShadowReports } from '../shadow/store.js';

/** `also`: told of every reset done (workers: the primary resets theirs too). */
export function shadowReset(shadow: ShadowReports, also?: (route: string | undefined) => void) {
  return (req: Request, res: Response): void => {
    const route = req.query.route;
    if (route !== undefined && typeof route !== 'string') {
      res.status(400).json({ error: 'bad_request', message: 'give ?route=PREFIX once, or no route to reset every report', requestId: newRequestId() });
      return;
    }
    const outcome = shadow.reset(route);
    if (outcome === null) {
      res.status(404).json({
        error: 'no_route',
        message: `no shadow report for route ${JSON.stringify(route)}: no route of the live table with that prefix shadows, and none has a report`,
        requestId: newRequestId(),
      });
      return;
    }
    also?.(route);
    res.set('cache-control', 'no-store').json(outcome);
  };
}
