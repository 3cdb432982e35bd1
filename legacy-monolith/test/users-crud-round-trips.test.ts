import { describe, expect, it } from 'vitest';
import { fetchJson, useLegacy } from './helpers.js';

describe('the /users API', () => {
  const legacy = useLegacy();

  it('lists the seeded users', async () => {
    const res = await fetchJson(`${legacy.url}/users`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { id: 1, email: 'ada@example.com', name: 'Ada Lovelace' },
      { id: 2, email: 'grace@example.com', name: 'Grace Hopper' },
      { id: 3, email: 'alan@example.com', name: 'Alan Turing' },
    ]);
  });

  it('creates, reads, updates and deletes a user', async () => {
    const created = await fetchJson(`${legacy.url}/users`, { body: { email: ' katherine@example.com ', name: 'Katherine Johnson' } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: 4, email: 'katherine@example.com', name: 'Katherine Johnson' });
    expect(created.headers.get('location')).toBe('/users/4');

    expect((await fetchJson(`${legacy.url}/users/4`)).body).toEqual(created.body);

    const updated = await fetchJson(`${legacy.url}/users/4`, { method: 'PUT', body: { name: 'Katherine G. Johnson' } });
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual({ id: 4, email: 'katherine@example.com', name: 'Katherine G. Johnson' });

    const deleted = await fetchJson(`${legacy.url}/users/4`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect((await fetchJson(`${legacy.url}/users/4`)).status).toBe(404);
  });

  it('refuses a second user with the same email, whatever its case', async () => {
    const res = await fetchJson(`${legacy.url}/users`, { body: { email: 'ADA@example.com', name: 'Another Ada' } });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: 'conflict', message: 'email ADA@example.com already belongs to user 1' });
    const renamed = await fetchJson(`${legacy.url}/users/2`, { method: 'PUT', body: { email: 'ada@example.com' } });
    expect(renamed.status).toBe(409);
  });
});
