// npm run copy-orders: copies the monolith's orders into the orders service's store.
//   --from DIR   the monolith's data dir      (env LEGACY_DATA_DIR, default .data/legacy)
//   --to DIR     the orders service's data dir (env ORDERS_DATA_DIR, default .data/orders)
// Idempotent; run it while the orders service is stopped.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { copyOrders, describeOrdersCopy } from './lib/copy-orders.js';
import { stringFromEnv } from './lib/env.js';

try {
  const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' } } });
  const from = resolve(values.from ?? stringFromEnv('LEGACY_DATA_DIR', '.data/legacy'));
  const to = resolve(values.to ?? stringFromEnv('ORDERS_DATA_DIR', '.data/orders'));
  console.log(describeOrdersCopy(await copyOrders(from, to)));
} catch (err) {
  console.error(`copy-orders: ${(err as Error).message}`);
  console.error('usage: copy-orders [--from LEGACY_DATA_DIR] [--to ORDERS_DATA_DIR]');
  process.exit(1);
}
