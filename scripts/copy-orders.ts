// npm run copy-orders: copies the monolith's orders into the orders service's store.
//   --from DIR   the monolith's data dir      (env LEGACY_DATA_DIR, default .data/legacy)
//   --to DIR     the orders service's data dir (env ORDERS_DATA_DIR, default .data/orders)
// Idempotent; run it while the orders service is stopped.
import { runCopyCli } from '../demo-kit/copy-cli.js';
import { copyOrders, describeOrdersCopy } from '../demo-kit/copy-orders.js';

await runCopyCli({ name: 'copy-orders', targetEnv: 'ORDERS_DATA_DIR', targetDefault: '.data/orders', copy: copyOrders, describe: describeOrdersCopy });
