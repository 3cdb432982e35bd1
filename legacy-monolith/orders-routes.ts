// GET/POST /orders (GET /orders?userId=N filters) and GET /orders/:id.
// An order's userId is checked for shape only, not looked up: once users move to the users
// service, new users exist there and not in this store, and orders for them must still work.
import { notFound } from '../demo-kit/http-error.js';
import { readNewOrder } from '../demo-kit/order-input.js';
import { sendJson } from '../demo-kit/http-reply.js';
import type { JsonStore } from '../demo-kit/json-store.js';
import type { Order } from '../demo-kit/model.js';
import type { Router } from '../demo-kit/router.js';
import { FieldChecker, parseId } from '../demo-kit/validate.js';
import type { LegacyData } from './db.js';
import type { NotificationHub } from './notifications.js';

export function addOrdersRoutes(router: Router, store: JsonStore<LegacyData>, hub: NotificationHub): void {
  router.get('/orders', ({ res, url }) => {
    const userIdText = url.searchParams.get('userId');
    if (userIdText === null) return sendJson(res, 200, store.data.orders);
    const checker = new FieldChecker({});
    const userId = parseId(userIdText) ?? checker.fail('userId', 'must be a positive integer');
    checker.check();
    sendJson(res, 200, ordersOfUser(store.data, userId!));
  });

  router.post('/orders', async ({ req, res }) => {
    const { userId, product, quantity } = await readNewOrder(req);
    const order = await store.update((data) => {
      const created: Order = { id: data.nextId.orders++, userId, product, quantity, createdAt: new Date().toISOString() };
      data.orders.push(created);
      return created;
    });
    hub.publish('order.created', order);
    sendJson(res, 201, order, { location: `/orders/${order.id}` });
  });

  router.get('/orders/:id', ({ res, params }) => {
    const id = parseId(params.id);
    const order = store.data.orders.find((o) => o.id === id);
    if (!order) throw notFound(`order ${params.id}`);
    sendJson(res, 200, order);
  });
}

export function ordersOfUser(data: LegacyData, userId: number): Order[] {
  return data.orders.filter((o) => o.userId === userId);
}
