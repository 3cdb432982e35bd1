// npm start: the whole migration story on one terminal. Starts the legacy monolith; seeds the
// users service's store from it when empty and starts the users service (extracted, live);
// seeds the orders service's store the same way and starts the orders service (being
// extracted: routes.yaml shadows /orders to it); then the proxy in front of all three.
// Prefixes every line of their output; Ctrl-C or SIGTERM stops all of them (exit 0), and any of
// them dying stops the rest (exit 1). Settings: see lib/demo/settings.ts; OTEL_EXPORTER_OTLP_ENDPOINT
// turns tracing on (lib/demo/tracing.ts).
import { fileURLToPath } from 'node:url';
import { copyOrders, describeOrdersCopy, ordersStoreIsEmpty } from '../demo-kit/copy-orders.js';
import { copyUsers, describeCopy, usersStoreIsEmpty } from '../demo-kit/copy-users.js';
import { banner } from './lib/demo/banner.js';
import { Output, wantsColor } from './lib/demo/output.js';
import { appListening, proxyListening } from './lib/demo/readiness.js';
import { readDemoSettings, type DemoSettings } from './lib/demo/settings.js';
import { Supervisor } from './lib/demo/supervisor.js';
import { tracedRoutesFile, tracesEndpoint } from './lib/demo/tracing.js';
import { onSignals } from './lib/procs.js';

const output = new Output(wantsColor(process.env, process.stdout.isTTY === true));
const settings = loadSettings();
const supervisor = new Supervisor(output, { startMs: settings.startTimeoutMs, stopMs: settings.stopTimeoutMs });

onSignals((signal) => {
  if (supervisor.stopping) return output.say(`${signal}: already stopping (anything left after ${settings.stopTimeoutMs} ms gets SIGKILL)`);
  output.say(`${signal}: stopping the stack`);
  void supervisor.stop(0);
});

try {
  const { ports, entries, legacyDataDir, usersDataDir, ordersDataDir } = settings;
  const app = (name: string, entry: string, env: NodeJS.ProcessEnv) =>
    supervisor.bringUp(name, entry, { env: { ...process.env, HOST: '127.0.0.1', ...env }, readyLine: appListening }, (r) => [r.port]);
  const legacy = await app('legacy', entries.legacy, { PORT: String(ports.legacy), DATA_DIR: legacyDataDir });
  const legacyUrl = `http://127.0.0.1:${legacy.port}`;

  if (await usersStoreIsEmpty(usersDataDir)) output.say(describeCopy(await copyUsers(legacyDataDir, usersDataDir)));
  else output.say(`the users service already has users in ${usersDataDir}; not copying (npm run copy-users refreshes them)`);

  const users = await app('users', entries.users, { PORT: String(ports.users), DATA_DIR: usersDataDir, LEGACY_URL: legacyUrl });
  const usersUrl = `http://127.0.0.1:${users.port}`;

  if (await ordersStoreIsEmpty(ordersDataDir)) output.say(describeOrdersCopy(await copyOrders(legacyDataDir, ordersDataDir)));
  else output.say(`the orders service already has orders in ${ordersDataDir}; not copying (npm run copy-orders refreshes them)`);

  const orders = await app('orders', entries.orders, { PORT: String(ports.orders), DATA_DIR: ordersDataDir });
  const ordersUrl = `http://127.0.0.1:${orders.port}`;

  // OTEL_EXPORTER_OTLP_ENDPOINT set: spans to that collector (lib/demo/tracing.ts).
  const endpoint = tracesEndpoint(process.env);
  if (endpoint !== null) output.say(`tracing on: spans to ${endpoint} (service strangler-demo)`);
  const proxy = await supervisor.bringUp('proxy', entries.proxy, {
    args: ['--config', endpoint === null ? settings.routesFile : tracedRoutesFile(settings.routesFile, endpoint)],
    env: { ...process.env, PORT: String(ports.proxy), ADMIN_PORT: String(ports.admin), LEGACY_URL: legacyUrl, USERS_URL: usersUrl, ORDERS_URL: ordersUrl },
    readyLine: proxyListening,
  }, (r) => [r.port, r.adminPort]);

  process.stdout.write(banner({ legacyUrl, usersUrl, ordersUrl, proxyPort: proxy.port, adminPort: proxy.adminPort, legacyDataDir, usersDataDir, ordersDataDir, pids: supervisor.pids }));
} catch (err) {
  supervisor.fail((err as Error).message);
}

function loadSettings(): DemoSettings {
  try {
    return readDemoSettings(process.env, fileURLToPath(new URL('..', import.meta.url)));
  } catch (err) {
    output.say((err as Error).message);
    process.exit(1);
  }
}
