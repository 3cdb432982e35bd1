import { describe, expect, it } from 'vitest';
import { fetchJson, useLegacy } from './helpers.js';

describe('GET /orders?userId=', () => {
  const legacy = useLegacy();

  it('lists only that user\'s orders, and every order without the filter', async () => {
    await fetchJson(`${legacy.url}/orders`, { body: { userId: 3, product: 'Enigma rotor', quantity: 3 } });
    const all = (await fetchJson(`${legacy.url}/orders`)).body as { userId: number }[];
    const mine = await fetchJson(`${legacy.url}/orders?userId=3`);

    expect(mine.status).toBe(200);
    expect(mine.body).toEqual(all.filter((o) => o.userId === 3));
    expect(mine.body).toHaveLength(2);
    expect(all.some((o) => o.userId !== 3)).toBe(true);
  });

  it('answers 400 for a userId that is not a positive integer', async () => {
    const res = await fetchJson(`${legacy.url}/orders?userId=abc`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'validation_failed', details: [{ field: 'userId' }] });
  });
});
