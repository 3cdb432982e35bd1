// The records the demo apps exchange. The monolith owns all three; the users service owns
// users and reads orders from the monolith.

export interface User {
  id: number;
  email: string;
  name: string;
}

export interface Order {
  id: number;
  userId: number;
  product: string;
  quantity: number;
  createdAt: string;
}

export const PAYMENT_STATUSES = ['pending', 'authorized', 'captured', 'refunded', 'failed'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export interface Payment {
  id: number;
  orderId: number;
  amount: number;
  status: PaymentStatus;
}

/** The part of a store that holds users: the monolith's store and the users service's share it. */
export interface UsersData {
  users: User[];
  nextId: { users: number };
}

export function emptyUsersData(): UsersData {
  return { users: [], nextId: { users: 1 } };
}
