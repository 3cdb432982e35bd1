// Bearer-token check for the admin API (ADMIN_TOKEN). /healthz and /readyz stay open.

import { timingSafeEqual, createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { newRequestId } from '../forward/headers.js';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export function bearerAuth(token: string | undefined) {
  if (token === undefined || token === '') return (_req: Request, _res: Response, next: NextFunction) => next();
  const expected = digest(token);
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (match !== null && timingSafeEqual(digest(match[1]!.trim()), expected)) return next();
    res
      .status(401)
      .set('www-authenticate', 'Bearer')
      .json({ error: 'unauthorized', message: 'this admin endpoint needs Authorization: Bearer <ADMIN_TOKEN>', requestId: newRequestId() });
  };
}
