// The first middleware of the admin app: refuses, 403 `forbidden`, a request whose Host is not
// the admin's (DNS rebinding) and a state-changing request from another origin (cross-site),
// before the token is even looked at. /healthz and /readyz are open to any Host, as they are
// open without a token: they say nothing but "up" and "ready", and probes address pods by IP.

import type { NextFunction, Request, Response } from 'express';
import { newRequestId } from '../forward/headers.js';
import { hostAllowed, hostRefusal, originAllowed, originRefusal, type HostPolicy } from './request-checks.js';

const HEALTH = new Set(['/healthz', '/readyz']);

export function adminGuard(policy: () => HostPolicy) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const host = req.headers.host;
    const origin = req.headers.origin;
    const health = HEALTH.has(req.path) && (req.method === 'GET' || req.method === 'HEAD');
    let message: string | undefined;
    if (!health && !hostAllowed(host, { ...policy(), localAddress: req.socket.localAddress })) message = hostRefusal(host);
    else if (!originAllowed(req.method, origin, host)) message = originRefusal(origin!);
    if (message === undefined) return next();
    res.status(403).json({ error: 'forbidden', message, requestId: newRequestId() });
  };
}
