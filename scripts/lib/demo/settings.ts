// Everything the demo reads from the environment, with the defaults `npm start` uses.
import { join, resolve } from 'node:path';
import { msFromEnv, portFromEnv, stringFromEnv } from '../../../demo-kit/env.js';

export interface DemoSettings {
  ports: { legacy: number; users: number; orders: number; proxy: number; admin: number };
  legacyDataDir: string;
  usersDataDir: string;
  ordersDataDir: string;
  /** The routes file handed to the proxy as --config. */
  routesFile: string;
  entries: { legacy: string; users: string; orders: string; proxy: string };
  startTimeoutMs: number;
  stopTimeoutMs: number;
}

/** `distDir` is the build output holding scripts/, legacy-monolith/, extracted/ and src/. */
export function readDemoSettings(env: NodeJS.ProcessEnv, distDir: string): DemoSettings {
  const proxyBin = stringFromEnv('STRANGLER_BIN', join(distDir, 'src', 'main.js'), env);
  return {
    ports: {
      legacy: portFromEnv('LEGACY_PORT', 8000, env),
      users: portFromEnv('USERS_PORT', 8001, env),
      orders: portFromEnv('ORDERS_PORT', 8002, env),
      proxy: portFromEnv('PORT', 8080, env),
      admin: portFromEnv('ADMIN_PORT', 9901, env),
    },
    legacyDataDir: resolve(stringFromEnv('LEGACY_DATA_DIR', '.data/legacy', env)),
    usersDataDir: resolve(stringFromEnv('USERS_DATA_DIR', '.data/users', env)),
    ordersDataDir: resolve(stringFromEnv('ORDERS_DATA_DIR', '.data/orders', env)),
    routesFile: stringFromEnv('STRANGLER_CONFIG', 'routes.yaml', env),
    entries: {
      legacy: join(distDir, 'legacy-monolith', 'main.js'),
      users: join(distDir, 'extracted', 'users', 'main.js'),
      orders: join(distDir, 'extracted', 'orders', 'main.js'),
      proxy: resolve(proxyBin),
    },
    startTimeoutMs: msFromEnv('DEMO_START_TIMEOUT_MS', 20_000, env),
    stopTimeoutMs: msFromEnv('DEMO_STOP_TIMEOUT_MS', 15_000, env),
  };
}
