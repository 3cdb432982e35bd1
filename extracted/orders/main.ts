// Runs the orders service from the environment: PORT (8002), HOST (127.0.0.1) and
// DATA_DIR (.data/orders, relative to the current directory). Fill its store from the
// monolith's first with scripts/copy-orders.ts.
import { resolve } from 'node:path';
import { portFromEnv, stringFromEnv } from '../../demo-kit/env.js';
import { runApp } from '../../demo-kit/run-app.js';
import { startOrdersService } from './server.js';

await runApp('orders service', () =>
  startOrdersService({
    port: portFromEnv('PORT', 8002),
    host: stringFromEnv('HOST', '127.0.0.1'),
    dataDir: resolve(stringFromEnv('DATA_DIR', '.data/orders')),
    log: (line) => console.log(line),
  }),
);
