import { describe, expect, it } from 'vitest';
import { fetchJson, useLegacy } from './helpers.js';

describe('GET /users/:id/details', () => {
  const legacy = useLegacy();

  it('answers the user with exactly their orders', async () => {
    const created = await fetchJson(`${legacy.url}/orders`, { body: { userId: 2, product: 'Slide rule', quantity: 2 } });
    expect(created.status).toBe(201);

    const details = await fetchJson(`${legacy.url}/users/2/details`);
    expect(details.status).toBe(200);
    const orders = (await fetchJson(`${legacy.url}/orders`)).body as { userId: number }[];
    expect(details.body).toEqual({
      id: 2,
      email: 'grace@example.com',
      name: 'Grace Hopper',
      orders: orders.filter((o) => o.userId === 2),
    });
    expect((details.body as { orders: unknown[] }).orders).toContainEqual(created.body);
  });

  it('answers 404 for an unknown user', async () => {
    const details = await fetchJson(`${legacy.url}/users/404/details`);
    expect(details.status).toBe(404);
    expect(details.body).toEqual({ error: 'not_found', message: 'user 404 not found' });
  });
});
