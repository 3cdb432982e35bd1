// The primary of a group of workers (--workers N > 1): owns routes.yaml (loads and validates it,
// watches it), the admin port, and the workers. It compiles a table of its own from the same
// config, for /routes and /config only: it never serves the public port, its upstream pools
// connect lazily (so never), and its rate-limit store is this process's (no Redis connection).
// It decides the progressive canaries' steps for every worker (group-stepper.ts).

import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createAdminApp, type Lifecycle } from '../admin/app.js';
import { AdminExposedError, adminExposureProblem } from '../admin/exposure.js';
import { WatchFromStart } from '../config/watch-from-start.js';
import { UpstreamPools } from '../forward/pools.js';
import { closeIdentity } from '../identity/compile.js';
import { RateLimitStores } from '../identity/stores.js';
import type { RateLimitStore } from '../identity/types.js';
import type { Logger } from '../observability/logger.js';
import { Metrics } from '../observability/metrics.js';
import { LOG } from '../observability/log-messages.js';
import { Reloader, type ReloadTrigger } from '../routing/reloader.js';
import type { TableStore } from '../routing/store.js';
import { shadowKeys } from '../routing/shadow-keys.js';
import { ShadowReports } from '../shadow/store.js';
import { StatusBook } from '../status/book.js';
import { groupAdmin, validOf } from './group-admin.js';
import { WorkerGroup } from './group.js';
import { startGroupStepper } from './group-stepper.js';
import { canaryHalts, stepSnapshots } from '../routing/canary-steps.js';
import { canaryPercentGauge } from '../observability/canary-percent.js';

export interface PrimaryOptions {
  readonly configPath: string;
  readonly logger: Logger;
  readonly count: number;
  readonly adminPort?: number;
  readonly adminHost?: string;
  readonly adminToken?: string;
  readonly env: NodeJS.ProcessEnv;
}

export interface Primary {
  readonly port: number;
  readonly adminPort: number;
  reload(trigger: ReloadTrigger): Promise<unknown>;
  shutdown(): Promise<void>;
}

/** The primary's table never serves: its rate-limit store is always this process's. */
class LocalOnlyStores extends RateLimitStores {
  override storeFor(): RateLimitStore {
    return super.storeFor(null);
  }
}

export async function startPrimary(opts: PrimaryOptions): Promise<Primary> {
  const { logger } = opts;
  const metrics = new Metrics({ processMetrics: true }); // (its own: only the ones it owns are served, group-admin.ts)
  const pools = new UpstreamPools();
  const stores = new LocalOnlyStores({ logger });
  const shadow = new ShadowReports({ logger, metrics });
  const status = new StatusBook(); // the primary's: its reloads (the workers' answer for the traffic)
  const live = new Reloader({
    file: opts.configPath, env: opts.env, pools, stores, metrics, logger,
    onReload: (o, trigger) => status.reloaded(o, trigger),
    onSwap: (t) => {
      status.setTable(t);
      shadow.applyShadows(shadowKeys(t));
    },
  });
  // Watch before the first read (as a single process does), so that an edit made while the
  // workers start is not missed: a change seen before they all run is reloaded as soon as they do.
  const watcher = new WatchFromStart(opts.configPath);
  let store: TableStore;
  try {
    store = await live.start();
  } catch (err) {
    watcher.close();
    throw err;
  }
  const table = store.current;
  const adminHost = opts.adminHost ?? table.server.adminHost;
  const exposed = adminExposureProblem(adminHost, opts.adminToken, opts.adminHost !== undefined ? '--admin-host or ADMIN_HOST' : `server.adminHost in ${table.file}`);
  const cleanup = (): void => {
    pools.destroy();
    closeIdentity(store.current.identity);
    stores.closeAll();
  };
  if (exposed !== undefined) {
    watcher.close();
    cleanup();
    throw new AdminExposedError(exposed);
  }

  canaryPercentGauge(metrics.registry, () => store.current.routes);
  const group = new WorkerGroup({
    count: opts.count, logger, metrics, current: () => validOf(store.current), steps: () => stepSnapshots(store.current),
    halts: () => canaryHalts(store.current),
    onHalt: (m) => {
      const t = store.current;
      if (t.version !== m.version) return;
      for (const r of t.routes) if (r.label === m.route) r.state.canaryHalt?.haltFrom(m.halted);
    },
  });
  const admin = groupAdmin({ live, store, group, metrics, logger, shadowed: () => shadow.shadowed() });
  const lifecycle: Lifecycle = { ready: false, draining: false };
  const adminServer: http.Server = http.createServer(createAdminApp({ store, metrics, lifecycle, reloader: live, shadow, status, token: opts.adminToken, adminHost, group: admin, logger,
    listening: () => ({ port: group.port, adminPort: (adminServer.address() as AddressInfo).port, adminHost, workers: opts.count }),
  }));
  try {
    adminServer.listen(opts.adminPort ?? table.server.adminPort, adminHost);
    await once(adminServer, 'listening');
    await group.start();
  } catch (err) {
    watcher.close();
    adminServer.close();
    await group.stop(table.server.drainTimeoutMs);
    cleanup();
    throw err;
  }
  const stopStepper = startGroupStepper(store, group, logger);
  if (store.current.version !== table.version) void admin.reload('watch'); // (a reload while they started)
  watcher.running(() => void admin.reload('watch'));
  lifecycle.ready = true;
  const adminPort = (adminServer.address() as AddressInfo).port;
  logger.info({ msg: LOG.listening, port: group.port, adminPort, config: table.file, version: table.version, routes: table.routes.length, workers: opts.count });

  let stopping: Promise<void> | null = null;
  const shutdown = (): Promise<void> =>
    (stopping ??= (async () => {
      lifecycle.draining = true;
      watcher.close();
      stopStepper();
      const s = store.current.server;
      logger.info({ msg: LOG.workersStopping, workers: group.views().length });
      // Each worker runs a single process's shutdown: its delay, then five waits of at most
      // drainTimeoutMs each (the drain, the tunnels' lines, the pools, tracing, the logs).
      await group.stop(s.shutdownDelayMs + 5 * s.drainTimeoutMs + 5000);
      adminServer.closeAllConnections();
      await new Promise<void>((resolve) => adminServer.close(() => resolve()));
      cleanup();
      logger.info({ msg: LOG.stopped });
    })());

  return { port: group.port, adminPort, reload: (trigger) => admin.reload(trigger), shutdown };
}
