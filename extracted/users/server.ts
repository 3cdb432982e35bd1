// The users capability extracted from the monolith: the same /users API with its own JSON
// file store. GET /users/:id/details still needs the monolith for the orders. Every answer
// carries X-Served-By: users-service. GET /users/me answers the signed-in user: the proxy's
// forward authenticator asked the monolith who the session cookie is and passed X-User-Id on
// (the proxy removes any X-User-Id a client sends itself).
import { JsonStore, storeFile } from '../../demo-kit/json-store.js';
import { emptyUsersData } from '../../demo-kit/model.js';
import { Router } from '../../demo-kit/router.js';
import { sendJson } from '../../demo-kit/http-reply.js';
import { serve, type Served } from '../../demo-kit/serve.js';
import { addUsersRoutes } from '../../demo-kit/users-routes.js';
import { UsersTable } from '../../demo-kit/users-table.js';
import { fetchLegacyOrders } from './legacy-orders.js';

export interface UsersServiceOptions {
  dataDir: string;
  /** Where the monolith answers GET /orders?userId=N. */
  legacyUrl: string;
  port?: number;
  host?: string;
  log?: (line: string) => void;
}

export async function startUsersService(opts: UsersServiceOptions): Promise<Served> {
  const store = await JsonStore.open(storeFile(opts.dataDir), emptyUsersData);
  const router = new Router();
  const users = new UsersTable(store);
  // Before /users/:id, which would read "me" as an id.
  router.get('/users/me', ({ req, res }) => {
    const id = Number(req.headers['x-user-id']);
    if (!Number.isSafeInteger(id) || id <= 0) return sendJson(res, 401, { error: 'no X-User-Id: /users/me is reached through the proxy, signed in' });
    const user = users.get(id);
    if (!user) return sendJson(res, 404, { error: `user ${id} not found` });
    sendJson(res, 200, user, { 'cache-control': 'no-store' });
  });
  addUsersRoutes(router, users, (userId, req) => {
    const requestId = req.headers['x-request-id'];
    return fetchLegacyOrders(opts.legacyUrl, userId, typeof requestId === 'string' ? requestId : undefined);
  });
  return serve(router, { port: opts.port ?? 0, host: opts.host ?? '127.0.0.1', servedBy: 'users-service', log: opts.log });
}
