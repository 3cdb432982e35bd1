import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fetchJson, useTempDirs } from '../../../legacy-monolith/test/helpers.js';
import { writeJsonFileAtomic } from '../../../demo-kit/json-file.js';
import { runBuilt } from '../../../scripts/lib/test/built-process.js';

describe('node dist/extracted/orders/main.js', () => {
  const tempDir = useTempDirs();

  it('listens where PORT and HOST say, serves DATA_DIR, logs each request, and stops on SIGTERM', async () => {
    const dataDir = await tempDir('orders-');
    await writeJsonFileAtomic(join(dataDir, 'store.json'), {
      orders: [{ id: 3, user_id: 2, product: 'COBOL compiler', quantity: 1, createdAt: 1709638800000 }],
      nextId: { orders: 5 },
    });
    const app = runBuilt('extracted/orders/main.js', { env: { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir } });
    try {
      const url = (await app.line(/^orders service listening on /)).slice('orders service listening on '.length);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

      const res = await fetchJson(`${url}/orders/3`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: 3, user_id: 2, createdAt: 1709638800000 });
      expect(res.headers.get('x-served-by')).toBe('orders-service');
      expect(await app.line(/^GET \/orders\/3 200 /)).toBeDefined();
    } finally {
      app.child.kill('SIGTERM');
    }
    expect(await app.exited).toEqual({ code: 0, signal: null });
    expect(app.lines).toContain('orders service stopping (SIGTERM)');
  });

  it('explains a bad PORT and exits 1', async () => {
    const app = runBuilt('extracted/orders/main.js', { env: { PORT: 'eighty', DATA_DIR: await tempDir('orders-') } });
    expect(await app.exited).toEqual({ code: 1, signal: null });
    expect(app.lines).toContain('orders service failed to start: PORT must be a port number from 0 to 65535, got "eighty"');
  });
});
