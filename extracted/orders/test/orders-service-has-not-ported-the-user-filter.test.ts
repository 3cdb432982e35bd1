import { describe, expect, it } from 'vitest';
import { fetchJson } from '../../../legacy-monolith/test/helpers.js';
import { useOrdersService } from './orders-service-under-test.js';

// Difference 3 of ../server.ts: GET /orders?userId=N is not ported yet.
describe('GET /orders?userId= on the orders service', () => {
  const startOrders = useOrdersService();

  it.each(['/orders?userId=1', '/orders?userId=abc', '/orders?userId=', '/orders?sort=id&userId=2'])(
    '%s answers 501 not_implemented as JSON',
    async (path) => {
      const orders = await startOrders();
      const res = await fetchJson(`${orders.url}${path}`);

      expect(res.status).toBe(501);
      expect(res.body).toEqual({
        error: 'not_implemented',
        message: 'filtering orders by user (GET /orders?userId=N) is not ported to the orders service yet; the monolith still answers it',
      });
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.headers.get('x-served-by')).toBe('orders-service');
    },
  );

  it('answers HEAD with 501 too, while GET /orders without the filter works', async () => {
    const orders = await startOrders();
    expect((await fetch(`${orders.url}/orders?userId=1`, { method: 'HEAD' })).status).toBe(501);
    const all = await fetchJson(`${orders.url}/orders`);
    expect(all).toMatchObject({ status: 200, body: [] });
  });
});
