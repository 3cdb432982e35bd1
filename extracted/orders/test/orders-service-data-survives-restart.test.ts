import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fetchJson } from '../../../legacy-monolith/test/helpers.js';
import { useOrdersService } from './orders-service-under-test.js';

/** The orders of an answer (one or a list) as stored: without the per-answer servedAt. */
const withoutServedAt = (body: unknown) =>
  ((Array.isArray(body) ? body : [body]) as { servedAt: number }[]).map(({ servedAt: _servedAt, ...order }) => order);

describe('the orders service store', () => {
  const startOrders = useOrdersService();

  it('starts empty, and keeps its orders and id counter across a restart', async () => {
    let clock = 1_700_000_000_000;
    const now = () => clock++;
    const first = await startOrders({ now });
    expect((await fetchJson(`${first.url}/orders`)).body).toEqual([]);
    const a = await fetchJson(`${first.url}/orders`, { body: { userId: 1, product: 'Slide rule', quantity: 2 } });
    const b = await fetchJson(`${first.url}/orders`, { body: { userId: 7, product: 'Abacus', quantity: 1 } });
    expect(a).toMatchObject({ status: 201, body: { id: 1, user_id: 1, product: 'Slide rule', quantity: 2, createdAt: 1_700_000_000_001 } });
    const before = withoutServedAt((await fetchJson(`${first.url}/orders`)).body);
    await first.app.close();

    const second = await startOrders({ dataDir: first.dataDir, now });
    expect(withoutServedAt((await fetchJson(`${second.url}/orders`)).body)).toEqual(before);
    expect(withoutServedAt((await fetchJson(`${second.url}/orders/2`)).body)).toEqual(withoutServedAt(b.body));
    const c = await fetchJson(`${second.url}/orders`, { body: { userId: 1, product: 'Compass', quantity: 3 } });
    expect((c.body as { id: number }).id).toBe(3);

    const stored = JSON.parse(await readFile(join(first.dataDir, 'store.json'), 'utf8'));
    expect(stored).toEqual({ orders: withoutServedAt([a.body, b.body, c.body]), nextId: { orders: 4 } });
    expect(await readdir(first.dataDir)).toEqual(['store.json']);
  });
});
