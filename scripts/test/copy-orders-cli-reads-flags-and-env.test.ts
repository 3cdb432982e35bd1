import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useLegacy, useTempDirs } from '../../legacy-monolith/test/helpers.js';
import { runBuilt } from '../lib/test/built-process.js';

describe('node dist/scripts/copy-orders.js', () => {
  const legacy = useLegacy();
  const tempDir = useTempDirs();

  it('takes the data dirs from --from/--to and prints how many orders it copied', async () => {
    const ordersDir = await tempDir('orders-');
    const run = runBuilt('scripts/copy-orders.js', { args: ['--from', legacy.dataDir, '--to', ordersDir] });

    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.lines).toEqual([
      `copied 4 orders from ${join(legacy.dataDir, 'store.json')} to ${join(ordersDir, 'store.json')} (4 new, 0 changed, 0 unchanged)`,
    ]);
    expect(JSON.parse(await readFile(join(ordersDir, 'store.json'), 'utf8')).orders).toHaveLength(4);
  });

  it('takes them from LEGACY_DATA_DIR and ORDERS_DATA_DIR', async () => {
    const ordersDir = await tempDir('orders-');
    const run = runBuilt('scripts/copy-orders.js', { env: { LEGACY_DATA_DIR: legacy.dataDir, ORDERS_DATA_DIR: ordersDir } });

    expect((await run.exited).code).toBe(0);
    expect(run.lines[0]).toMatch(/^copied 4 orders /);
  });

  it('defaults to .data/legacy and .data/orders under the current directory', async () => {
    const cwd = await tempDir('cwd-');
    const run = runBuilt('scripts/copy-orders.js', { cwd, env: { LEGACY_DATA_DIR: '', ORDERS_DATA_DIR: '' } });

    expect((await run.exited).code).toBe(1);
    expect(run.lines[0]).toBe(`copy-orders: no monolith store at ${join(cwd, '.data/legacy/store.json')}: start the legacy monolith once (it seeds its store) or pass its data dir`);
  });
});
