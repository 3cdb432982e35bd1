// The legacy monolith: users, orders and payments as a JSON API, a server-rendered dashboard,
// a cookie login, static assets, streamed uploads and downloads, and a live notifications
// stream, all in one process with one JSON file store. Every answer carries
// X-Served-By: legacy-monolith.
import { join } from 'node:path';
import { sendHtml } from '../demo-kit/http-reply.js';
import { Router } from '../demo-kit/router.js';
import { serve, type Served } from '../demo-kit/serve.js';
import { addUsersRoutes } from '../demo-kit/users-routes.js';
import { UsersTable } from '../demo-kit/users-table.js';
import { addAuthRoutes } from './auth-routes.js';
import { openLegacyStore } from './db.js';
import { downloadHandler } from './downloads.js';
import { NotificationHub } from './notifications.js';
import { addOrdersRoutes, ordersOfUser } from './orders-routes.js';
import { renderDashboard } from './pages/dashboard.js';
import { addPaymentsRoutes } from './payments-routes.js';
import { Sessions } from './sessions.js';
import { addStaticRoutes } from './static-routes.js';
import { uploadHandler } from './uploads.js';

export interface LegacyOptions {
  dataDir: string;
  port?: number;
  host?: string;
  /** Interval of the notifications heartbeat comment; 15 s unless a test wants it sooner. */
  heartbeatMs?: number;
  log?: (line: string) => void;
}

export async function startLegacy(opts: LegacyOptions): Promise<Served> {
  const store = await openLegacyStore(opts.dataDir);
  const hub = new NotificationHub(opts.heartbeatMs ?? 15_000);
  const router = new Router();

  router.get('/', ({ res }) => sendHtml(res, 200, renderDashboard(store.data)));
  addUsersRoutes(router, new UsersTable(store), async (userId) => ordersOfUser(store.data, userId));
  addOrdersRoutes(router, store, hub);
  addPaymentsRoutes(router, store, hub);
  addAuthRoutes(router, store, new Sessions());
  addStaticRoutes(router);
  router.post('/uploads', uploadHandler(join(opts.dataDir, 'uploads')));
  router.get('/downloads/:bytes', downloadHandler);
  router.get('/notifications/stream', hub.handler);

  const served = await serve(router, {
    port: opts.port ?? 0,
    host: opts.host ?? '127.0.0.1',
    servedBy: 'legacy-monolith',
    log: opts.log,
  });
  return {
    ...served,
    close: async (graceMs) => {
      hub.close();
      await served.close(graceMs);
    },
  };
}
