// An orders service on port 0 in its own temp data dir, for each test of the file.
import { afterEach } from 'vitest';
import type { Served } from '../../../demo-kit/serve.js';
import { useTempDirs } from '../../../legacy-monolith/test/helpers.js';
import { startOrdersService, type OrdersServiceOptions } from '../server.js';

export interface OrdersServiceUnderTest {
  app: Served;
  url: string;
  dataDir: string;
}

/** Returns a starter; whatever it started is closed after the test. */
export function useOrdersService(): (opts?: Partial<OrdersServiceOptions>) => Promise<OrdersServiceUnderTest> {
  const tempDir = useTempDirs();
  const started: Served[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((app) => app.close()));
  });
  return async (opts = {}) => {
    const dataDir = opts.dataDir ?? (await tempDir('orders-'));
    const app = await startOrdersService({ ...opts, dataDir });
    started.push(app);
    return { app, url: app.url, dataDir };
  };
}
