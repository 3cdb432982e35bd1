import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchJson } from '../../../legacy-monolith/test/helpers.js';
import { useUsersService } from './users-service-under-test.js';

/** A stand-in monolith that answers /orders with `orders` and records what it was asked. */
async function fakeMonolith(orders: unknown, status = 200) {
  const asked: { url: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    asked.push({ url: req.url ?? '', headers: req.headers });
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(orders));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, asked, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('GET /users/:id/details on the users service', () => {
  const startUsers = useUsersService();
  const servers: { close(): void }[] = [];
  afterEach(() => servers.splice(0).forEach((s) => s.close()));

  it('joins its own user with the orders the monolith has for them, passing X-Request-Id on', async () => {
    const orders = [{ id: 7, userId: 1, product: 'Loom cards', quantity: 2, createdAt: '2024-01-01T00:00:00.000Z' }];
    const legacy = await fakeMonolith(orders);
    servers.push(legacy.server);
    const users = await startUsers({ legacyUrl: `${legacy.url}/` });
    const user = (await fetchJson(`${users.url}/users`, { body: { email: 'ada@example.com', name: 'Ada Lovelace' } })).body as { id: number };

    const details = await fetchJson(`${users.url}/users/${user.id}/details`, { headers: { 'x-request-id': 'req-123' } });

    expect(details.status).toBe(200);
    expect(details.body).toEqual({ ...user, orders });
    expect(legacy.asked).toHaveLength(1);
    expect(legacy.asked[0]!.url).toBe(`/orders?userId=${user.id}`);
    expect(legacy.asked[0]!.headers['x-request-id']).toBe('req-123');
  });

  it('answers 502 legacy_unavailable when the monolith answers an error', async () => {
    const legacy = await fakeMonolith({ error: 'boom' }, 500);
    servers.push(legacy.server);
    const users = await startUsers({ legacyUrl: legacy.url });
    await fetchJson(`${users.url}/users`, { body: { email: 'ada@example.com', name: 'Ada Lovelace' } });

    const details = await fetchJson(`${users.url}/users/1/details`);

    expect(details.status).toBe(502);
    expect(details.body).toMatchObject({ error: 'legacy_unavailable', message: expect.stringContaining('answered 500') });
  });

  it('answers 502 legacy_unavailable when nothing listens at LEGACY_URL', async () => {
    const gone = await fakeMonolith([]);
    await new Promise((resolve) => gone.server.close(resolve));
    const users = await startUsers({ legacyUrl: gone.url });
    await fetchJson(`${users.url}/users`, { body: { email: 'ada@example.com', name: 'Ada Lovelace' } });

    const details = await fetchJson(`${users.url}/users/1/details`);

    expect(details.status).toBe(502);
    expect(details.body).toMatchObject({ error: 'legacy_unavailable' });
    expect(details.headers.get('x-served-by')).toBe('users-service');
  });
});
