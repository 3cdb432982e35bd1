// The cookie login: GET /login (form), POST /login (form-urlencoded; sets the session cookie
// and redirects to /account), GET /account (redirects to /login without a session) and
// POST /logout. Every user's password is "demo": the users table has no password column.
// GET /auth/whoami answers who a session cookie belongs to, for the proxy's forward
// authenticator: 200 with X-User-Id (and a small JSON body), or 401 without a valid session.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFormBody } from '../demo-kit/http-body.js';
import { redirect, sendHtml, sendJson } from '../demo-kit/http-reply.js';
import type { JsonStore } from '../demo-kit/json-store.js';
import type { Router } from '../demo-kit/router.js';
import type { LegacyData } from './db.js';
import { ordersOfUser } from './orders-routes.js';
import { renderAccount } from './pages/account.js';
import { renderLogin } from './pages/login.js';
import { SESSION_COOKIE, type Sessions } from './sessions.js';

export const DEMO_PASSWORD = 'demo';

export function addAuthRoutes(router: Router, store: JsonStore<LegacyData>, sessions: Sessions): void {
  router.get('/login', ({ res }) => sendHtml(res, 200, renderLogin()));

  router.post('/login', async ({ req, res }) => {
    const form = await readFormBody(req);
    const email = (form.get('email') ?? '').trim();
    const user = store.data.users.find((u) => u.email.toLowerCase() === email.toLowerCase());
    if (!user || !samePassword(form.get('password') ?? '', DEMO_PASSWORD)) {
      return sendHtml(res, 401, renderLogin('Unknown email or wrong password.', email));
    }
    const sid = sessions.create(user.id);
    redirect(res, '/account', { 'set-cookie': `${SESSION_COOKIE}=${sid}; HttpOnly; Path=/; SameSite=Lax` });
  });

  router.get('/account', ({ req, res }) => {
    const userId = sessions.userIdOf(req);
    const user = store.data.users.find((u) => u.id === userId);
    if (!user) return redirect(res, '/login');
    sendHtml(res, 200, renderAccount(user, ordersOfUser(store.data, user.id)), { 'cache-control': 'no-store' });
  });

  router.get('/auth/whoami', ({ req, res }) => {
    const userId = sessions.userIdOf(req);
    const user = store.data.users.find((u) => u.id === userId);
    if (!user) {
      return sendJson(res, 401, { error: 'not signed in', login: '/login' }, { 'www-authenticate': 'Session', 'cache-control': 'no-store' });
    }
    sendJson(res, 200, { id: user.id, email: user.email, name: user.name }, { 'x-user-id': String(user.id), 'cache-control': 'no-store' });
  });

  router.post('/logout', ({ req, res }) => {
    sessions.destroy(req);
    redirect(res, '/login', { 'set-cookie': `${SESSION_COOKIE}=; HttpOnly; Path=/; SameSite=Lax; Max-Age=0` });
  });
}

function samePassword(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
