// The orders service's own data, in its own shape: an order says `user_id` (not `userId`) and
// keeps `createdAt` as epoch milliseconds (not an ISO string). One JSON file store under the
// service's data dir (<dataDir>/store.json, written atomically like the monolith's), empty on
// first start; the copy step (scripts/copy-orders.ts) fills it from the monolith's store.
import { JsonStore, storeFile } from '../../demo-kit/json-store.js';
import type { Order } from '../../demo-kit/model.js';

export interface StoredOrder {
  id: number;
  user_id: number;
  product: string;
  quantity: number;
  /** Epoch milliseconds. */
  createdAt: number;
}

export interface OrdersData {
  orders: StoredOrder[];
  nextId: { orders: number };
}

export function emptyOrdersData(): OrdersData {
  return { orders: [], nextId: { orders: 1 } };
}

export function openOrdersStore(dataDir: string): Promise<JsonStore<OrdersData>> {
  return JsonStore.open(storeFile(dataDir), emptyOrdersData);
}

/** A monolith order in the orders service's shape; throws when its createdAt is not a date. */
export function fromMonolithOrder(order: Order): StoredOrder {
  const createdAt = typeof order.createdAt === 'string' ? Date.parse(order.createdAt) : Number.NaN;
  if (!Number.isFinite(createdAt)) throw new Error(`order ${order.id} has a createdAt that is not a date: ${JSON.stringify(order.createdAt)}`);
  return { id: order.id, user_id: order.userId, product: order.product, quantity: order.quantity, createdAt };
}
