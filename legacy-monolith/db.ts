// The monolith's data: users, orders and payments in one JSON store, seeded on first start.
import { JsonStore, storeFile } from '../demo-kit/json-store.js';
import type { Order, Payment, User, UsersData } from '../demo-kit/model.js';

export interface LegacyData extends UsersData {
  users: User[];
  orders: Order[];
  payments: Payment[];
  nextId: { users: number; orders: number; payments: number };
}

export function openLegacyStore(dataDir: string): Promise<JsonStore<LegacyData>> {
  return JsonStore.open(storeFile(dataDir), seedLegacyData);
}

export function seedLegacyData(): LegacyData {
  return {
    users: [
      { id: 1, email: 'ada@example.com', name: 'Ada Lovelace' },
      { id: 2, email: 'grace@example.com', name: 'Grace Hopper' },
      { id: 3, email: 'alan@example.com', name: 'Alan Turing' },
    ],
    orders: [
      { id: 1, userId: 1, product: 'Analytical Engine manual', quantity: 1, createdAt: '2024-03-01T09:15:00.000Z' },
      { id: 2, userId: 1, product: 'Punched cards (box of 500)', quantity: 3, createdAt: '2024-03-04T14:02:00.000Z' },
      { id: 3, userId: 2, product: 'COBOL compiler', quantity: 1, createdAt: '2024-03-05T11:40:00.000Z' },
      { id: 4, userId: 3, product: 'Paper tape', quantity: 12, createdAt: '2024-03-07T16:25:00.000Z' },
    ],
    payments: [
      { id: 1, orderId: 1, amount: 49.9, status: 'captured' },
      { id: 2, orderId: 2, amount: 17.85, status: 'captured' },
      { id: 3, orderId: 3, amount: 199, status: 'authorized' },
    ],
    nextId: { users: 4, orders: 5, payments: 4 },
  };
}
