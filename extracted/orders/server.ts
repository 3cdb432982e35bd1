// The orders capability extracted from the monolith: GET /orders, GET /orders/:id and
// POST /orders with its own JSON file store (see store.ts), seeded from the monolith's store by
// scripts/copy-orders.ts. Every answer carries X-Served-By: orders-service.
//
// It is a rewrite, and it answers differently from the monolith on purpose, the way real
// rewrites do (the shadow-compare demo mirrors /orders to it and reports exactly these):
//
//   1. `user_id` instead of `userId` on every order object (lists, single orders, the created
//      order). Request bodies are unchanged: POST /orders still takes `userId`.
//   2. `createdAt` is epoch milliseconds (a number, e.g. 1709284500000) where the monolith has
//      an ISO string with milliseconds ("2024-03-01T09:15:00.000Z"); same instant, so
//      new Date(createdAt).toISOString() gives the monolith's value back.
//   3. Not ported yet: filtering, GET /orders?userId=N. Any request to GET (or HEAD) /orders
//      with a userId parameter, valid or not, answers 501 Not Implemented:
//      {"error":"not_implemented","message":"..."} (the monolith answers 200 with that user's
//      orders, or 400 validation_failed for a bad userId).
//   4. Noise: every order object carries `servedAt`, the epoch milliseconds at which this answer
//      was made (the same value for every order of one answer, new on every answer). It is not
//      stored. The monolith has no such field, so it shows as an extra path; a shadow compare
//      ignores it with `ignore: [$.servedAt, $[*].servedAt]`.
//   5. Everything else is the same: the same ids, user ids, products, quantities and order of
//      the list; the same statuses, error bodies (404 not_found, 400 validation_failed and
//      invalid_json with the same messages, 405 with the same Allow), the same Location on 201,
//      the same content-type.
//
// Not a difference on /orders, but a gap to know about: the monolith publishes `order.created`
// on /notifications/stream; orders created here are not published there.
import type { JsonStore } from '../../demo-kit/json-store.js';
import { HttpError, notFound } from '../../demo-kit/http-error.js';
import { readNewOrder } from '../../demo-kit/order-input.js';
import { sendJson } from '../../demo-kit/http-reply.js';
import { Router } from '../../demo-kit/router.js';
import { serve, type Served } from '../../demo-kit/serve.js';
import { parseId } from '../../demo-kit/validate.js';
import { openOrdersStore, type OrdersData, type StoredOrder } from './store.js';

export interface OrdersServiceOptions {
  dataDir: string;
  port?: number;
  host?: string;
  log?: (line: string) => void;
  /** The clock, in epoch milliseconds, for createdAt and servedAt; Date.now unless a test sets it. */
  now?: () => number;
}

/** An order as the orders service answers it. */
export interface OrderAnswer extends StoredOrder {
  /** When this answer was made, epoch milliseconds (difference 4). */
  servedAt: number;
}

export async function startOrdersService(opts: OrdersServiceOptions): Promise<Served> {
  const store = await openOrdersStore(opts.dataDir);
  const router = new Router();
  addOrdersRoutes(router, store, opts.now ?? Date.now);
  return serve(router, { port: opts.port ?? 0, host: opts.host ?? '127.0.0.1', servedBy: 'orders-service', log: opts.log });
}

// Registered in the monolith's order, so a 405's Allow header lists the methods the same way.
function addOrdersRoutes(router: Router, store: JsonStore<OrdersData>, now: () => number): void {
  router.get('/orders', ({ res, url }) => {
    if (url.searchParams.has('userId')) throw notPorted('filtering orders by user (GET /orders?userId=N)');
    const servedAt = now();
    sendJson(res, 200, store.data.orders.map((order) => answer(order, servedAt)));
  });

  router.post('/orders', async ({ req, res }) => {
    const { userId, product, quantity } = await readNewOrder(req);
    const order = await store.update((data) => {
      const created: StoredOrder = { id: data.nextId.orders++, user_id: userId, product, quantity, createdAt: now() };
      data.orders.push(created);
      return created;
    });
    sendJson(res, 201, answer(order, now()), { location: `/orders/${order.id}` });
  });

  router.get('/orders/:id', ({ res, params }) => {
    const id = parseId(params.id);
    const order = store.data.orders.find((o) => o.id === id);
    if (!order) throw notFound(`order ${params.id}`);
    sendJson(res, 200, answer(order, now()));
  });
}

function answer(order: StoredOrder, servedAt: number): OrderAnswer {
  return { ...order, servedAt };
}

function notPorted(what: string): HttpError {
  return new HttpError(501, 'not_implemented', `${what} is not ported to the orders service yet; the monolith still answers it`);
}
