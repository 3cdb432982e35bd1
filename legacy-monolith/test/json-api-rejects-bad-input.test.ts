import { describe, expect, it } from 'vitest';
import { fetchJson, useLegacy } from './helpers.js';

describe('validation errors are 400 with a JSON body naming each field', () => {
  const legacy = useLegacy();

  it.each([
    ['/users', { email: 'not-an-email' }, ['email', 'name']],
    ['/users', { email: 'a@example.com', name: '   ' }, ['name']],
    ['/orders', { userId: 0, product: '', quantity: 1.5 }, ['userId', 'product', 'quantity']],
    ['/orders', { userId: 1, product: 'Tea' }, ['quantity']],
    ['/payments', { orderId: 1, amount: -3, status: 'stolen' }, ['amount', 'status']],
    ['/payments', { orderId: 999, amount: 3 }, ['orderId']],
    ['/users', [1, 2], ['$']],
  ])('POST %s %j', async (path, body, fields) => {
    const res = await fetchJson(`${legacy.url}${path}`, { body });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.body).toMatchObject({ error: 'validation_failed', message: expect.any(String) });
    expect((res.body as { details: { field: string }[] }).details.map((d) => d.field)).toEqual(fields);
  });

  it('answers 400 invalid_json for a body that is not JSON', async () => {
    const res = await fetchJson(`${legacy.url}/users`, { body: '{"email":' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_json', message: 'the request body must be a JSON document' });
  });

  it('answers 400 for a PUT that changes nothing', async () => {
    const res = await fetchJson(`${legacy.url}/users/1`, { method: 'PUT', body: {} });
    expect(res.status).toBe(400);
  });

  it('stores nothing when the input is refused', async () => {
    await fetchJson(`${legacy.url}/orders`, { body: { userId: 1, product: 'Tea' } });
    expect((await fetchJson(`${legacy.url}/orders`)).body).toHaveLength(4);
  });
});

describe('unknown ids are 404', () => {
  const legacy = useLegacy();

  it.each(['/users/99', '/users/abc', '/users/0', '/orders/99', '/payments/99', '/users/99/details', '/nowhere'])('GET %s', async (path) => {
    const res = await fetchJson(`${legacy.url}${path}`);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: 'not_found' });
  });

  it.each([
    ['PUT', '/users/99', { name: 'x' }],
    ['DELETE', '/users/99', undefined],
  ])('%s %s', async (method, path, body) => {
    expect((await fetchJson(`${legacy.url}${path}`, { method, body })).status).toBe(404);
  });

  it('answers 405 with Allow for a known path and another method', async () => {
    const res = await fetchJson(`${legacy.url}/orders/1`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });
});
