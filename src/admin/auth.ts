// The admin token check (ADMIN_TOKEN) for every admin endpoint but /healthz, /readyz and the
// sign-in (session/routes.ts). A request is signed in by `Authorization: Bearer <token>` or by the
// sign-in cookie (session/cookie.ts). Without either, a browser asking for a page (`GET /` or
// `GET /shadow`, Accept: text/html) gets the sign-in page; anything else the JSON 401.
// A state-changing request signed in by the cookie alone must also carry the admin's own
// Origin (the guard has refused a foreign one; here a missing one is refused too): the cookie
// is SameSite=Strict, and this is a second lock on the same door.

import { timingSafeEqual, createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { newRequestId } from '../forward/headers.js';
import { originAllowed } from './request-checks.js';
import { readCookie, sameValue, sessionValue, SESSION_COOKIE } from './session/cookie.js';
import type { FailedSignIns } from './session/failed-sign-ins.js';
import { sendSignInPage } from './session/routes.js';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

const PAGES = new Set(['/', '/shadow']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const wantsPage = (req: Request): boolean =>
  (req.method === 'GET' || req.method === 'HEAD') && PAGES.has(req.path) && (req.get('accept') ?? '').includes('text/html');

/** `failures`: where a wrong token presented (a Bearer header or a stale cookie) is counted and
 *  logged, as a wrong one posted to the sign-in form is: a script guessing it is seen. */
export function bearerAuth(token: string | undefined, failures?: FailedSignIns) {
  if (token === undefined || token === '') return (_req: Request, _res: Response, next: NextFunction) => next();
  const expected = digest(token);
  const session = sessionValue(token);
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (match !== null && timingSafeEqual(digest(match[1]!.trim()), expected)) return next();
    const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (cookie !== undefined && sameValue(cookie, session)) {
      const origin = req.headers.origin;
      if (SAFE_METHODS.has(req.method) || (origin !== undefined && originAllowed(req.method, origin, req.headers.host))) return next();
      res.status(403).json({
        error: 'forbidden',
        message: "a state-changing admin request signed in by the cookie must carry the admin's own Origin (or use Authorization: Bearer)",
        requestId: newRequestId(),
      });
      return;
    }
    if (match !== null || cookie !== undefined) failures?.failed(req.socket.remoteAddress);
    if (wantsPage(req)) return sendSignInPage(res, { next: req.originalUrl });
    res
      .status(401)
      .set('www-authenticate', 'Bearer')
      .json({ error: 'unauthorized', message: 'this admin endpoint needs Authorization: Bearer <ADMIN_TOKEN>', requestId: newRequestId() });
  };
}
