// The one place where the modules are wired together: config -> table -> store -> public server
// and admin server. The first table comes from the reloader, the same path as every later load.
// Returns a handle with the bound ports and a graceful shutdown.

import { systemClock, type Clock, type Random } from './util/clock.js';
import http from 'node:http';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { once } from 'node:events';
import { createAdminApp, type Lifecycle } from './admin/app.js';
import { AdminExposedError, adminExposureProblem } from './admin/exposure.js';
import { ProxyHandler, type HandlerDeps } from './forward/handler.js';
import type { ValidConfig } from './routing/source.js';
import { AccessLog } from './observability/access-log.js';
import { UpstreamPools } from './forward/pools.js';
import { closeIdentity } from './identity/compile.js';
import { RateLimitStores } from './identity/stores.js';
import { Tracings } from './tracing/tracings.js';
import { Recorders, type RecordersOptions } from './record/recorders.js';
import { createPublicServer, endAfterResponses } from './forward/server.js';
import { createH2Server } from './forward/h2-server.js';
import type { Duplex } from 'node:stream';
import { startTlsEdge, type TlsEdge } from './edge/start-tls.js';
import { UpgradeHandler } from './forward/upgrade.js';
import type { Logger } from './observability/logger.js';
import { Metrics, RouteMeters } from './observability/metrics.js';
import { openUpgradesGauge, upstreamConnectionsGauge } from './observability/upstream-connections.js';
import { canaryPercentGauge } from './observability/canary-percent.js';
import { canaryHaltedGauge } from './observability/canary-halted.js';
import { breakerStateGauge } from './observability/breaker-state.js';
import { CANARY_TICK_MS, CanaryStepper, intervalTicker, type Ticker } from './canary/stepper.js';
import { steppedRoutes } from './routing/canary-steps.js';
import { WatchFromStart } from './config/watch-from-start.js';
import { within } from './util/within.js';
import { Reloader, type ReloadOutcome, type ReloadTrigger } from './routing/reloader.js';
import type { TableStore } from './routing/store.js';
import { ShadowReports } from './shadow/store.js';
import { StatusBook } from './status/book.js';
import type { ShadowEvent } from './shadow/log-line.js';
import { shadowKeys } from './routing/shadow-keys.js';
import { LOG } from './observability/log-messages.js';
import { workersGauge } from './workers/workers-gauge.js';
import type { BodyBudget } from './policies/body-budget.js';

export interface StartOptions {
  readonly configPath: string;
  readonly logger: Logger;
  /** Overrides of `server:` in the file (flags and environment, already resolved by the CLI). */
  readonly port?: number;
  readonly host?: string;
  readonly adminPort?: number;
  readonly adminHost?: string;
  readonly adminToken?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly processMetrics?: boolean;
  /** Watch the file and reload on change (default true). */
  readonly watch?: boolean;
  /** Tests: the clock of canary halts and breakers, and the chance behind canary and shadow sampling. */
  readonly clock?: Clock;
  readonly random?: Random;
  /** Tests: the bound on kept request bodies (default the process's, policies/body-budget.ts). */
  readonly bodies?: BodyBudget;
  /** Tests: how often server.tls's certificate files are read (default 1 s). */
  readonly certPollMs?: number;
  /** A worker (node:cluster): the config the primary validated; no file read, no watcher. */
  readonly initial?: ValidConfig;
  /** Serve the admin port (default true; a worker leaves it to the primary). */
  readonly admin?: boolean;
  /** Told when a canary halts here (a worker tells the primary). */
  readonly onCanaryHalt?: HandlerDeps['onCanaryHalt'];
  /** Tests: how long finished spans wait to be batched for export (default 5 s). */
  readonly traceDelayMs?: number;
  /** Whether this process checks its progressive canaries' gates (default true; a worker leaves
   *  it to the primary, which decides for all of them). */
  readonly decideCanarySteps?: boolean;
  /** Tests: what calls the progressive canaries' check (default every CANARY_TICK_MS). */
  readonly canaryTicker?: Ticker;
  /** Recording's writers: a worker's slot (its own files), tests' disk and queue bounds. */
  readonly record?: RecordersOptions;
}

export interface Strangler {
  readonly port: number;
  readonly adminPort: number;
  readonly store: TableStore;
  readonly metrics: Metrics;
  readonly lifecycle: Lifecycle;
  readonly reloader: Reloader;
  readonly shadow: ShadowReports;
  /** The migration status's figures (GET /status). */
  readonly status: StatusBook;
  readonly recorders: Recorders;
  /** Reload routes.yaml now (SIGHUP, POST /reload, the file watcher). */
  reload(trigger: ReloadTrigger): Promise<ReloadOutcome>;
  /** SIGTERM behaviour: not ready, keep accepting for shutdownDelayMs, stop accepting, let in-flight requests finish (bounded), close. */
  shutdown(): Promise<void>;
}

/** This process decides its progressive canaries' steps over its own figures. Returns its stop. */
function startStepper(store: TableStore, logger: Logger, opts: StartOptions): () => void {
  const stepper = new CanaryStepper({
    routes: () => steppedRoutes(store.current), clock: opts.clock ?? systemClock, logger,
  });
  return (opts.canaryTicker ?? intervalTicker(CANARY_TICK_MS))(() => stepper.tick());
}

async function listen(server: NetServer, port: number, host: string): Promise<number> {
  server.listen(port, host);
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

export async function startStrangler(opts: StartOptions): Promise<Strangler> {
  const { logger } = opts;
  const metrics = new Metrics({ processMetrics: opts.processMetrics ?? false });
  const pools = new UpstreamPools();
  const stores = new RateLimitStores({ logger, ...(opts.clock === undefined ? {} : { clock: opts.clock }) });
  const shadow = new ShadowReports({ logger, metrics }, opts.clock);
  const status = new StatusBook(opts.clock);
  shadow.on('event', (e: ShadowEvent) => status.shadowEvent(e));
  const tracings = new Tracings({ logger, dropped: metrics.traceSpansDropped, ...(opts.traceDelayMs === undefined ? {} : { scheduledDelayMs: opts.traceDelayMs }) });
  const recorders = new Recorders({ logger, metrics, ...(opts.clock === undefined ? {} : { clock: opts.clock }) }, opts.record);
  const live = new Reloader({
    file: opts.configPath, env: opts.env ?? process.env, pools, stores, tracings, recorders, metrics, logger, clock: opts.clock,
    onReload: (o, trigger) => status.reloaded(o, trigger),
    onSwap: (t) => {
      status.setTable(t);
      shadow.setLog(t.server.shadowLog);
      shadow.applyShadows(shadowKeys(t)); // a route's report counts from when its shadow config applied
    },
  });
  // Watch before the first read, so that an edit made while starting is not missed: a change seen
  // before the first table is live is reloaded as soon as it is.
  const watcher = opts.watch === false || opts.initial !== undefined ? null : new WatchFromStart(opts.configPath);
  let store: TableStore;
  try {
    store = opts.initial === undefined ? await live.start() : live.startWith(opts.initial);
  } catch (err) {
    watcher?.close();
    pools.destroy();
    stores.closeAll();
    void tracings.closeAll();
    void recorders.closeAll();
    throw err;
  }
  upstreamConnectionsGauge(metrics.registry, () => store.current.upstreams.values());
  canaryPercentGauge(metrics.registry, () => store.current.routes);
  canaryHaltedGauge(metrics.registry, () => store.current.routes);
  breakerStateGauge(metrics.registry, () => store.current.routes);
  const table = store.current;
  const adminHost = opts.adminHost ?? table.server.adminHost;
  const serveAdmin = opts.admin !== false;
  const exposed = !serveAdmin ? undefined : adminExposureProblem(adminHost, opts.adminToken, opts.adminHost !== undefined ? '--admin-host or ADMIN_HOST' : `server.adminHost in ${table.file}`);
  if (exposed !== undefined) {
    watcher?.close();
    await Promise.all([pools.close(), shadow.close()]);
    closeIdentity(table.identity);
    stores.closeAll();
    void tracings.closeAll();
    void recorders.closeAll();
    throw new AdminExposedError(exposed);
  }

  const reload = (trigger: ReloadTrigger): Promise<ReloadOutcome> => live.reload(trigger);
  const lifecycle: Lifecycle = { ready: false, draining: false };
  const access = new AccessLog(logger, new RouteMeters(metrics, ''), status);
  const handler = new ProxyHandler(store, lifecycle, access, { logger, metrics, shadow, random: opts.random, onCanaryHalt: opts.onCanaryHalt, bodies: opts.bodies });
  const upgrades = new UpgradeHandler(store, access);
  openUpgradesGauge(metrics.registry, () => upgrades.open);
  const publicServer = createPublicServer(table.server, handler, upgrades, access, logger);
  const adminServer = http.createServer(createAdminApp({ store, metrics, lifecycle, reloader: live, shadow, status, token: opts.adminToken, adminHost, logger, clock: opts.clock,
    // (one process: workers 1 whatever the file says; before the public port listens, no port yet)
    listening: () => ({ ...(port === undefined ? {} : { port }), host: opts.host ?? table.server.host, adminPort, adminHost, workers: 1 }),
  }));

  let port: number;
  let adminPort: number;
  // With server.tls the public port is a tls.Server handing its sockets to publicServer.
  let tlsEdge: TlsEdge | null = null;
  // With server.http2 (default), TLS connections that choose h2 by ALPN: the same handler.
  const h2 = table.server.tls !== null && table.server.http2 ? createH2Server(table.server, handler, access, logger, { clock: opts.clock }) : null;
  try {
    if (table.server.tls !== null) {
      tlsEdge = await startTlsEdge({
        httpServer: publicServer, tls: table.server.tls, limits: table.server, logger, metrics, certPollMs: opts.certPollMs,
        ...(h2 === null ? {} : { h2: (socket: Duplex) => h2.accept(socket) }),
      });
    }
    adminPort = serveAdmin ? await listen(adminServer, opts.adminPort ?? table.server.adminPort, adminHost) : 0;
    port = await listen(tlsEdge?.server ?? publicServer, opts.port ?? table.server.port, opts.host ?? table.server.host);
  } catch (err) {
    watcher?.close();
    tlsEdge?.stopWatching();
    tlsEdge?.server.close();
    publicServer.close();
    adminServer.close();
    await pools.close();
    closeIdentity(table.identity);
    stores.closeAll();
    void tracings.closeAll();
    void recorders.closeAll();
    throw err;
  }
  watcher?.running(() => void live.reload('watch')); // (listening: a change held meanwhile reloads now)
  const stopStepper = opts.decideCanarySteps === false ? () => {} : startStepper(store, logger, opts);
  lifecycle.ready = true;
  if (serveAdmin) workersGauge(metrics.registry, () => (lifecycle.draining ? 0 : 1)); // (this process is the one worker)
  logger.info({ msg: serveAdmin ? LOG.listening : LOG.workerListening, port, ...(serveAdmin ? { adminPort } : {}), config: table.file, version: table.version, routes: table.routes.length });

  let shuttingDown: Promise<void> | null = null;
  const shutdown = (): Promise<void> =>
    (shuttingDown ??= (async () => {
      lifecycle.draining = true; // /readyz 503 now; responses carry Connection: close from here on
      watcher?.close();
      stopStepper();
      tlsEdge?.stopWatching();
      // Load balancers (Kubernetes endpoints) take a while to stop sending: keep accepting meanwhile.
      const delayMs = store.current.server.shutdownDelayMs;
      if (delayMs > 0) {
        logger.info({ msg: LOG.shutdownDelay, shutdownDelayMs: delayMs });
        await new Promise<void>((resolve) => setTimeout(resolve, delayMs));
      }
      const drainMs = store.current.server.drainTimeoutMs;
      logger.info({ msg: LOG.draining, drainTimeoutMs: drainMs });
      // The listener stops accepting; it closes once its connections have (TLS sockets included).
      const closed = new Promise<void>((resolve) => (tlsEdge?.server ?? publicServer).close(() => resolve()));
      if (tlsEdge !== null) publicServer.close(); // never listened: stops its timeout sweep
      publicServer.closeIdleConnections();
      endAfterResponses(publicServer); // the busy ones, once their answers are out
      void h2?.closeAll(); // GOAWAY: streams under way finish, then each session closes
      if (!(await within(closed, drainMs))) {
        logger.warn({ msg: LOG.drainTimeout, drainTimeoutMs: drainMs });
        lifecycle.cut = true; // (their lines say drain_timeout, not client_closed)
        publicServer.closeAllConnections();
        h2?.destroyAll();
      }
      // A tunnel's access line is written once both its sockets have closed: waited for, bounded.
      await within(upgrades.closeAll(), drainMs);
      adminServer.closeAllConnections();
      await new Promise<void>((resolve) => adminServer.close(() => resolve()));
      // Bounded too: a pool still busy after another drainTimeoutMs is destroyed.
      if (!(await within(pools.close(), drainMs))) pools.destroy();
      closeIdentity(store.current.identity);
      stores.closeAll();
      // Queued spans are exported (each export bounded by its timeout), bounded like the rest.
      await within(tracings.closeAll(), drainMs);
      // The shadow log's queued lines are written out, bounded like every other wait here.
      await within(Promise.all([shadow.close(), recorders.closeAll()]), drainMs);
      logger.info({ msg: LOG.stopped });
    })());

  return { port, adminPort, store, metrics, lifecycle, reloader: live, shadow, status, recorders, reload, shutdown };
}
