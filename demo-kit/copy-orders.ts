// Copies the orders from the monolith's store file into the orders service's store file,
// turning each into the service's shape (user_id, createdAt in epoch ms: see
// extracted/orders/store.ts); upsert by id, idempotent (see copy-by-id.ts). Run it while the
// orders service is stopped.
import { emptyOrdersData, fromMonolithOrder, type OrdersData, type StoredOrder } from '../extracted/orders/store.js';
import { copyById, describeCopyResult, storeListIsEmpty, type CopyByIdSpec, type CopyResult } from './copy-by-id.js';
import type { Order } from './model.js';

export type CopyOrdersResult = CopyResult;

const ORDERS: CopyByIdSpec<'orders', Order, StoredOrder, OrdersData> = {
  key: 'orders',
  convert: (record, from) => {
    try {
      return fromMonolithOrder(record);
    } catch (err) {
      throw new Error(`${from}: ${(err as Error).message}`);
    }
  },
  same: (a, b) => a.user_id === b.user_id && a.product === b.product && a.quantity === b.quantity && a.createdAt === b.createdAt,
  empty: emptyOrdersData,
};

export function copyOrders(legacyDataDir: string, ordersDataDir: string): Promise<CopyOrdersResult> {
  return copyById(ORDERS, legacyDataDir, ordersDataDir);
}

export function describeOrdersCopy(r: CopyOrdersResult): string {
  return describeCopyResult('orders', r);
}

/** True when the orders service's store does not exist yet or holds no orders. */
export function ordersStoreIsEmpty(ordersDataDir: string): Promise<boolean> {
  return storeListIsEmpty(ordersDataDir, 'orders');
}
