// The users capability extracted from the monolith: the same /users API with its own JSON
// file store. GET /users/:id/details still needs the monolith for the orders. Every answer
// carries X-Served-By: users-service.
import { JsonStore, storeFile } from '../../demo-kit/json-store.js';
import { emptyUsersData } from '../../demo-kit/model.js';
import { Router } from '../../demo-kit/router.js';
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
  addUsersRoutes(router, new UsersTable(store), (userId, req) => {
    const requestId = req.headers['x-request-id'];
    return fetchLegacyOrders(opts.legacyUrl, userId, typeof requestId === 'string' ? requestId : undefined);
  });
  return serve(router, { port: opts.port ?? 0, host: opts.host ?? '127.0.0.1', servedBy: 'users-service', log: opts.log });
}
