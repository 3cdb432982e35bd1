// GET/POST /payments and GET /payments/:id. A payment must name an existing order.
import { notFound } from '../demo-kit/http-error.js';
import { readJsonBody } from '../demo-kit/http-body.js';
import { sendJson } from '../demo-kit/http-reply.js';
import type { JsonStore } from '../demo-kit/json-store.js';
import { PAYMENT_STATUSES, type Payment } from '../demo-kit/model.js';
import type { Router } from '../demo-kit/router.js';
import { asFields, FieldChecker, parseId } from '../demo-kit/validate.js';
import type { LegacyData } from './db.js';
import type { NotificationHub } from './notifications.js';

export function addPaymentsRoutes(router: Router, store: JsonStore<LegacyData>, hub: NotificationHub): void {
  router.get('/payments', ({ res }) => sendJson(res, 200, store.data.payments));

  router.post('/payments', async ({ req, res }) => {
    const checker = new FieldChecker(asFields(await readJsonBody(req)));
    const orderId = checker.integer('orderId', { required: true, min: 1, max: Number.MAX_SAFE_INTEGER });
    const amount = checker.amount('amount', { required: true, max: 1_000_000 });
    const status = checker.oneOf('status', PAYMENT_STATUSES, 'pending');
    checker.check();
    const payment = await store.update((data) => {
      if (!data.orders.some((o) => o.id === orderId)) {
        checker.fail('orderId', `must name an existing order (there is no order ${orderId})`);
        checker.check();
      }
      const created: Payment = { id: data.nextId.payments++, orderId: orderId!, amount: amount!, status };
      data.payments.push(created);
      return created;
    });
    hub.publish('payment.created', payment);
    sendJson(res, 201, payment, { location: `/payments/${payment.id}` });
  });

  router.get('/payments/:id', ({ res, params }) => {
    const id = parseId(params.id);
    const payment = store.data.payments.find((p) => p.id === id);
    if (!payment) throw notFound(`payment ${params.id}`);
    sendJson(res, 200, payment);
  });
}
