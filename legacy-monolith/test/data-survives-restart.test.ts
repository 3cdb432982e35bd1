import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { fetchJson, useLegacy } from './helpers.js';

describe('the monolith\'s JSON file store', () => {
  const legacy = useLegacy();

  it('keeps every change across a restart and does not seed again', async () => {
    const user = await fetchJson(`${legacy.url}/users`, { body: { email: 'edsger@example.com', name: 'Edsger Dijkstra' } });
    const order = await fetchJson(`${legacy.url}/orders`, { body: { userId: (user.body as { id: number }).id, product: 'Fountain pen', quantity: 1 } });
    const payment = await fetchJson(`${legacy.url}/payments`, { body: { orderId: (order.body as { id: number }).id, amount: 12.5 } });
    expect(await fetchJson(`${legacy.url}/users/3`, { method: 'DELETE' })).toMatchObject({ status: 204 });
    const before = await Promise.all(['/users', '/orders', '/payments'].map((p) => fetchJson(`${legacy.url}${p}`)));

    await legacy.restart();

    const after = await Promise.all(['/users', '/orders', '/payments'].map((p) => fetchJson(`${legacy.url}${p}`)));
    expect(after.map((a) => a.body)).toEqual(before.map((b) => b.body));
    expect(after[0]!.body).toContainEqual(user.body);
    expect(after[1]!.body).toContainEqual(order.body);
    expect(after[2]!.body).toContainEqual(payment.body);
    expect((await fetchJson(`${legacy.url}/users/3`)).status).toBe(404);
  });

  it('continues ids after a restart instead of reusing them', async () => {
    const first = await fetchJson(`${legacy.url}/users`, { body: { email: 'barbara@example.com', name: 'Barbara Liskov' } });
    await fetchJson(`${legacy.url}/users/${(first.body as { id: number }).id}`, { method: 'DELETE' });
    await legacy.restart();
    const second = await fetchJson(`${legacy.url}/users`, { body: { email: 'barbara@example.com', name: 'Barbara Liskov' } });
    expect((second.body as { id: number }).id).toBe((first.body as { id: number }).id + 1);
  });

  it('leaves one valid store.json and no temp files behind', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => fetchJson(`${legacy.url}/users`, { body: { email: `user${i}@example.com`, name: `User ${i}` } })),
    );
    expect(await readdir(legacy.dataDir)).toEqual(['store.json']);
    const stored = JSON.parse(await readFile(`${legacy.dataDir}/store.json`, 'utf8')) as { users: { email: string }[] };
    for (let i = 0; i < 20; i++) expect(stored.users.map((u) => u.email)).toContain(`user${i}@example.com`);
  });
});
