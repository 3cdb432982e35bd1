import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fetchJson, useLegacy, useTempDirs } from '../../legacy-monolith/test/helpers.js';
import { copyOrders, describeOrdersCopy, ordersStoreIsEmpty } from '../copy-orders.js';
import { writeJsonFileAtomic } from '../json-file.js';

const readStore = async (dir: string) => JSON.parse(await readFile(join(dir, 'store.json'), 'utf8'));

interface LegacyOrder {
  id: number;
  userId: number;
  product: string;
  quantity: number;
  createdAt: string;
}

describe('copyOrders', () => {
  const legacy = useLegacy();
  const tempDir = useTempDirs();

  it("copies every monolith order, with the same ids, into an empty orders store in the service's shape", async () => {
    await fetchJson(`${legacy.url}/orders`, { body: { userId: 2, product: 'Harvard Mark I tape', quantity: 2 } });
    const legacyOrders = (await fetchJson(`${legacy.url}/orders`)).body as LegacyOrder[];
    const ordersDir = await tempDir('orders-');
    expect(await ordersStoreIsEmpty(ordersDir)).toBe(true);

    const result = await copyOrders(legacy.dataDir, ordersDir);

    expect(result).toEqual({ from: join(legacy.dataDir, 'store.json'), to: join(ordersDir, 'store.json'), copied: 5, added: 5, changed: 0, unchanged: 0 });
    expect(await readStore(ordersDir)).toEqual({
      orders: legacyOrders.map((o) => ({ id: o.id, user_id: o.userId, product: o.product, quantity: o.quantity, createdAt: Date.parse(o.createdAt) })),
      nextId: { orders: 6 },
    });
    expect((await readStore(ordersDir)).orders[0]).toEqual({ id: 1, user_id: 1, product: 'Analytical Engine manual', quantity: 1, createdAt: 1709284500000 });
    expect(await ordersStoreIsEmpty(ordersDir)).toBe(false);
    expect(describeOrdersCopy(result)).toBe(`copied 5 orders from ${result.from} to ${result.to} (5 new, 0 changed, 0 unchanged)`);
  });

  it('is idempotent: a second run changes nothing and does not rewrite the file', async () => {
    const ordersDir = await tempDir('orders-');
    await copyOrders(legacy.dataDir, ordersDir);
    const before = await stat(join(ordersDir, 'store.json'));
    const content = await readStore(ordersDir);

    const again = await copyOrders(legacy.dataDir, ordersDir);

    expect(again).toMatchObject({ copied: 4, added: 0, changed: 0, unchanged: 4 });
    expect(await readStore(ordersDir)).toEqual(content);
    expect((await stat(join(ordersDir, 'store.json'))).mtimeMs).toBe(before.mtimeMs);
  });

  it('takes the monolith\'s version of an order on both sides, and keeps orders only the orders service has', async () => {
    const ordersDir = await tempDir('orders-');
    await writeJsonFileAtomic(join(ordersDir, 'store.json'), {
      orders: [
        { id: 2, user_id: 1, product: 'Punched cards (box of 500)', quantity: 30, createdAt: 1709560920000 },
        { id: 9, user_id: 3, product: 'Only in the orders service', quantity: 1, createdAt: 1710000000000 },
      ],
      nextId: { orders: 10 },
    });

    const result = await copyOrders(legacy.dataDir, ordersDir);

    expect(result).toMatchObject({ copied: 4, added: 3, changed: 1, unchanged: 0 });
    const store = await readStore(ordersDir);
    expect(store.orders.map((o: { id: number }) => o.id)).toEqual([1, 2, 3, 4, 9]);
    expect(store.orders[1]).toEqual({ id: 2, user_id: 1, product: 'Punched cards (box of 500)', quantity: 3, createdAt: 1709560920000 });
    expect(store.orders[4]).toMatchObject({ id: 9, product: 'Only in the orders service' });
    expect(store.nextId).toEqual({ orders: 10 });
  });

  it('fails with a clear message when the monolith has no store yet', async () => {
    const empty = await tempDir('legacy-');
    await expect(copyOrders(empty, await tempDir('orders-'))).rejects.toThrow(/no monolith store at .*store\.json/);
  });

  it('fails, writing nothing, when a monolith order has a createdAt that is not a date', async () => {
    const broken = await tempDir('legacy-');
    await writeJsonFileAtomic(join(broken, 'store.json'), {
      orders: [{ id: 1, userId: 1, product: 'Ok', quantity: 1, createdAt: 'last tuesday' }],
      nextId: { orders: 2 },
    });
    const ordersDir = await tempDir('orders-');

    await expect(copyOrders(broken, ordersDir)).rejects.toThrow(`${join(broken, 'store.json')}: order 1 has a createdAt that is not a date: "last tuesday"`);
    expect(await ordersStoreIsEmpty(ordersDir)).toBe(true);
  });
});
