// The demo stack (`npm start`), in this process: the legacy monolith, the users and orders
// services (their stores copied from the monolith's, as `npm start` does the first time), and a
// real proxy in front of them with the repository's own routes.yaml; each in its own temp dir, on
// port 0. `traffic()` sends `npm run traffic`'s mix through the proxy.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyOrders } from '../../demo-kit/copy-orders.js';
import { copyUsers } from '../../demo-kit/copy-users.js';
import type { Served } from '../../demo-kit/serve.js';
import { startOrdersService } from '../../extracted/orders/server.js';
import { startUsersService } from '../../extracted/users/server.js';
import { startLegacy } from '../../legacy-monolith/server.js';
import { sendTraffic, type TrafficSummary } from '../../scripts/lib/demo/traffic.js';
import { startProxy, type ProxyOptions, type TestProxy } from './servers.js';

const ROUTES_YAML = fileURLToPath(new URL('../../routes.yaml', import.meta.url));

export interface DemoStack {
  readonly proxy: TestProxy;
  /** The services behind the proxy, straight. */
  readonly urls: { readonly legacy: string; readonly users: string; readonly orders: string };
  traffic(requests: number): Promise<TrafficSummary>;
  close(): Promise<void>;
}

export async function startDemoStack(opts: ProxyOptions = {}): Promise<DemoStack> {
  const dir = await mkdtemp(path.join(tmpdir(), 'strangler-demo-'));
  const data = (name: string) => path.join(dir, name);
  const quiet = () => {};
  const apps: Served[] = [];
  try {
    const legacy = await startLegacy({ dataDir: data('legacy'), port: 0, host: '127.0.0.1', log: quiet });
    apps.push(legacy);
    await copyUsers(data('legacy'), data('users'));
    await copyOrders(data('legacy'), data('orders'));
    const users = await startUsersService({ dataDir: data('users'), port: 0, host: '127.0.0.1', legacyUrl: legacy.url, log: quiet });
    apps.push(users);
    const orders = await startOrdersService({ dataDir: data('orders'), port: 0, host: '127.0.0.1', log: quiet });
    apps.push(orders);
    const proxy = await startProxy(await readFile(ROUTES_YAML, 'utf8'), {
      ...opts,
      env: { LEGACY_URL: legacy.url, USERS_URL: users.url, ORDERS_URL: orders.url, ...opts.env },
    });
    return {
      proxy,
      urls: { legacy: legacy.url, users: users.url, orders: orders.url },
      traffic: (requests) =>
        sendTraffic({ url: new URL(proxy.url), admin: new URL(proxy.adminUrl), requests, concurrency: 4, seed: 1, timeoutMs: 10_000 }),
      close: async () => {
        await proxy.close();
        await Promise.all(apps.map((a) => a.close()));
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await Promise.all(apps.map((a) => a.close()));
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
