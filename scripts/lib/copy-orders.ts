// Copies the orders from the monolith's store file into the orders service's store file,
// turning each into the service's shape (user_id, createdAt in epoch ms: see
// extracted/orders/store.ts). Upsert by id (same ids on both sides), so running it twice
// changes nothing the second time; until the cutover the monolith is the source of truth, so an
// id on both sides takes the monolith's order. Orders that exist only in the orders service are
// kept. The target is written atomically, and only when something changed. Run it while the
// orders service is stopped: a running service keeps its data in memory and would overwrite the
// file on its next write.
import { emptyOrdersData, fromMonolithOrder, type OrdersData, type StoredOrder } from '../../extracted/orders/store.js';
import { readJsonFile, writeJsonFileAtomic } from './json-file.js';
import { storeFile } from './json-store.js';
import type { Order } from './model.js';

export interface CopyOrdersResult {
  from: string;
  to: string;
  copied: number;
  added: number;
  changed: number;
  unchanged: number;
}

export async function copyOrders(legacyDataDir: string, ordersDataDir: string): Promise<CopyOrdersResult> {
  const from = storeFile(legacyDataDir);
  const to = storeFile(ordersDataDir);
  const source = await readJsonFile<{ orders?: unknown; nextId?: { orders?: number } }>(from);
  if (!source) throw new Error(`no monolith store at ${from}: start the legacy monolith once (it seeds its store) or pass its data dir`);
  if (!Array.isArray(source.orders)) throw new Error(`${from} has no "orders" list`);
  const converted = (source.orders as Order[]).map((order) => {
    try {
      return fromMonolithOrder(order);
    } catch (err) {
      throw new Error(`${from}: ${(err as Error).message}`);
    }
  });
  const existing = await readJsonFile<OrdersData>(to);
  const target = existing ?? emptyOrdersData();

  const byId = new Map<number, StoredOrder>(target.orders.map((o) => [o.id, o]));
  const result: CopyOrdersResult = { from, to, copied: converted.length, added: 0, changed: 0, unchanged: 0 };
  for (const order of converted) {
    const before = byId.get(order.id);
    if (!before) result.added++;
    else if (!sameOrder(before, order)) result.changed++;
    else result.unchanged++;
    byId.set(order.id, order);
  }
  const orders = [...byId.values()].sort((a, b) => a.id - b.id);
  const maxId = orders.reduce((max, o) => Math.max(max, o.id), 0);
  const nextOrders = Math.max(target.nextId.orders, source.nextId?.orders ?? 1, maxId + 1);
  const updated: OrdersData = { ...target, orders, nextId: { ...target.nextId, orders: nextOrders } };
  if (JSON.stringify(updated) !== JSON.stringify(existing)) await writeJsonFileAtomic(to, updated);
  return result;
}

export function describeOrdersCopy(r: CopyOrdersResult): string {
  return `copied ${r.copied} orders from ${r.from} to ${r.to} (${r.added} new, ${r.changed} changed, ${r.unchanged} unchanged)`;
}

/** True when the orders service's store does not exist yet or holds no orders. */
export async function ordersStoreIsEmpty(ordersDataDir: string): Promise<boolean> {
  const data = await readJsonFile<Partial<OrdersData>>(storeFile(ordersDataDir));
  return !data || !Array.isArray(data.orders) || data.orders.length === 0;
}

function sameOrder(a: StoredOrder, b: StoredOrder): boolean {
  return a.user_id === b.user_id && a.product === b.product && a.quantity === b.quantity && a.createdAt === b.createdAt;
}
