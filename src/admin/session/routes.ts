// Signing in to the admin in a browser, which cannot send `Authorization: Bearer` on a
// navigation: POST /session (the sign-in page's form: `token`, `next`) checks the token in
// constant time and answers 303 back to `next` with the cookie (cookie.ts), or 401 with the
// sign-in page again and why; POST /session/logout clears the cookie. Both come before the
// token check; the admin guard has already refused a foreign Host or Origin.

import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { newRequestId } from '../../forward/headers.js';
import { clearSessionCookie, safeNext, sessionValue, setSessionCookie } from './cookie.js';
import type { FailedSignIns } from './failed-sign-ins.js';
import { renderSignInPage, SIGN_IN_CSP, type SignInPage } from './sign-in-page.js';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Answers with the sign-in page (401: the page asked for needs the token). */
export function sendSignInPage(res: Response, page: SignInPage): void {
  res
    .status(401)
    .set({
      'www-authenticate': 'Bearer',
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': SIGN_IN_CSP,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    })
    .send(renderSignInPage(page));
}

const field = (req: Request, name: string): unknown => (req.body as Record<string, unknown> | undefined)?.[name];

export function sessionRoutes(token: string | undefined, failures: FailedSignIns): express.Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 });
  const expected = token === undefined || token === '' ? null : digest(token);

  router.post('/session', form, (req, res) => {
    const next = safeNext(field(req, 'next'));
    const given = field(req, 'token');
    if (expected === null) {
      res.redirect(303, next); // no token: every page is open already
      return;
    }
    if (typeof given === 'string' && timingSafeEqual(digest(given), expected)) {
      res.set('set-cookie', setSessionCookie(sessionValue(token!), req.secure)).redirect(303, next);
      return;
    }
    failures.failed(req.socket.remoteAddress);
    sendSignInPage(res, { next, message: 'That is not the admin token.' });
  });

  // A form the parser refuses (over 4 KiB, an unknown charset): a JSON 400, not Express's page.
  router.use('/session', (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const tooLarge = (err as { status?: number }).status === 413;
    res.status(tooLarge ? 413 : 400).json({ error: tooLarge ? 'payload_too_large' : 'bad_request', message: tooLarge ? 'the form is too large' : 'the sign-in form could not be read', requestId: newRequestId() });
  });

  router.post('/session/logout', (req, res) => {
    res.set('set-cookie', clearSessionCookie(req.secure)).redirect(303, '/');
  });
  return router;
}
