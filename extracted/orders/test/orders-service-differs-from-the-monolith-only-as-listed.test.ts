import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { copyOrders } from '../../../demo-kit/copy-orders.js';
import { fetchJson, useLegacy, useTempDirs, type JsonAnswer } from '../../../legacy-monolith/test/helpers.js';
import { jsonDifferences } from './json-differences.js';
import { useOrdersService } from './orders-service-under-test.js';

// After copy-orders, the same request to the monolith and to the orders service differs in
// exactly the ways listed at the top of ../server.ts, and nowhere else: that is the contract
// the shadow compare demo reports against.

interface AnsweredOrder {
  id: number;
  user_id: number;
  product: string;
  quantity: number;
  createdAt: number;
  servedAt: number;
}

/** Differences 1 (user_id), 2 (createdAt in epoch ms) and 4 (servedAt) on the order at `path`. */
const orderDifferences = (path: string) => [`${path}.userId: missing`, `${path}.createdAt: string -> number`, `${path}.user_id: extra`, `${path}.servedAt: extra`];

/** Undoes differences 1, 2 and 4: what the monolith says for the same order. */
function asTheMonolithSaysIt({ user_id, createdAt, servedAt: _servedAt, ...rest }: AnsweredOrder) {
  return { ...rest, userId: user_id, createdAt: new Date(createdAt).toISOString() };
}

const sorted = (lines: string[]) => [...lines].sort();

type Expected =
  | 'same' //       status, headers and body identical
  | 'order' //      one order: differences 1, 2, 4
  | 'orders' //     a list of orders: differences 1, 2, 4 on each
  | 'created' //    201 with one order: differences 1, 2, 4 (createdAt: each side's own clock)
  | 'not ported'; // difference 3: 501 instead of the monolith's answer

describe('the orders service, seeded by copy-orders, against the monolith', () => {
  const legacy = useLegacy();
  const startOrders = useOrdersService();
  const tempDir = useTempDirs();

  async function bothSides() {
    const dataDir = await tempDir('orders-');
    await copyOrders(legacy.dataDir, dataDir);
    const orders = await startOrders({ dataDir });
    const ask = async (method: string, path: string, body?: unknown): Promise<[JsonAnswer, JsonAnswer]> => [
      await fetchJson(`${legacy.url}${path}`, { method, body }),
      await fetchJson(`${orders.url}${path}`, { method, body }),
    ];
    return { orders, ask };
  }

  it.each<[string, string, Expected, unknown?]>([
    ['GET', '/orders', 'orders'],
    ['GET', '/orders?sort=id', 'orders'],
    ['GET', '/orders/1', 'order'],
    ['GET', '/orders/4', 'order'],
    ['HEAD', '/orders/1', 'same'],
    ['GET', '/orders/99', 'same'],
    ['GET', '/orders/abc', 'same'],
    ['GET', '/orders?userId=1', 'not ported'],
    ['GET', '/orders?userId=abc', 'not ported'],
    ['POST', '/orders', 'created', { userId: 2, product: 'Relay', quantity: 4 }],
    ['POST', '/orders', 'same', { userId: 0, product: ' ', quantity: 5000 }],
    ['POST', '/orders', 'same', { product: 'No user' }],
    ['POST', '/orders', 'same', 'not json'],
    ['POST', '/orders', 'same', [1, 2]],
    ['DELETE', '/orders/1', 'same'],
    ['PUT', '/orders', 'same', { userId: 1 }],
  ])('%s %s: %s', async (method, path, expected, body) => {
    const { ask } = await bothSides();
    const before = Date.now();
    const [fromLegacy, fromOrders] = await ask(method, path, body);
    const after = Date.now();

    expect(fromLegacy.headers.get('x-served-by')).toBe('legacy-monolith');
    expect(fromOrders.headers.get('x-served-by')).toBe('orders-service');
    for (const header of ['content-type', 'location', 'allow']) {
      expect(fromOrders.headers.get(header), header).toBe(fromLegacy.headers.get(header));
    }

    switch (expected) {
      case 'same':
        expect(fromOrders.status).toBe(fromLegacy.status);
        expect(fromOrders.body).toEqual(fromLegacy.body);
        break;
      case 'order':
        expect(fromOrders.status).toBe(fromLegacy.status);
        expect(sorted(jsonDifferences(fromLegacy.body, fromOrders.body))).toEqual(sorted(orderDifferences('$')));
        expect(asTheMonolithSaysIt(fromOrders.body as AnsweredOrder)).toEqual(fromLegacy.body);
        break;
      case 'orders': {
        expect(fromOrders.status).toBe(200);
        expect(fromLegacy.status).toBe(200);
        const list = fromOrders.body as AnsweredOrder[];
        expect(list).toHaveLength(4);
        expect(sorted(jsonDifferences(fromLegacy.body, fromOrders.body))).toEqual(sorted(list.flatMap((_, i) => orderDifferences(`$[${i}]`))));
        expect(list.map(asTheMonolithSaysIt)).toEqual(fromLegacy.body);
        break;
      }
      case 'created': {
        expect(fromOrders.status).toBe(201);
        expect(fromLegacy.status).toBe(201);
        expect(fromOrders.headers.get('location')).toBe('/orders/5');
        expect(sorted(jsonDifferences(fromLegacy.body, fromOrders.body))).toEqual(sorted(orderDifferences('$')));
        const created = fromOrders.body as AnsweredOrder;
        const { createdAt: legacyCreatedAt, ...legacyRest } = fromLegacy.body as { createdAt: string };
        const { createdAt, ...rest } = asTheMonolithSaysIt(created);
        expect(rest).toEqual(legacyRest);
        // Each side stamps the order with its own clock: both within the request's time.
        for (const at of [Date.parse(legacyCreatedAt), Date.parse(createdAt)]) {
          expect(at).toBeGreaterThanOrEqual(before);
          expect(at).toBeLessThanOrEqual(after);
        }
        // ...and the created order then reads back with the same differences.
        const [readLegacy, readOrders] = await ask('GET', '/orders/5');
        expect(sorted(jsonDifferences(readLegacy.body, readOrders.body))).toEqual(sorted(orderDifferences('$')));
        expect({ ...(readOrders.body as AnsweredOrder), servedAt: created.servedAt }).toEqual(created);
        break;
      }
      case 'not ported':
        expect(fromOrders.status).toBe(501);
        expect(fromOrders.body).toEqual({ error: 'not_implemented', message: expect.stringContaining('GET /orders?userId=N') });
        expect(fromLegacy.status).not.toBe(501);
        break;
    }
  });

  it('servedAt is the time of each answer: one value for a whole list, a new one on the next answer', async () => {
    const { orders } = await bothSides();
    const before = Date.now();
    const list = (await fetchJson(`${orders.url}/orders`)).body as AnsweredOrder[];
    const after = Date.now();
    const servedAt = list[0]!.servedAt;
    expect(list.every((o) => o.servedAt === servedAt)).toBe(true);
    expect(servedAt).toBeGreaterThanOrEqual(before);
    expect(servedAt).toBeLessThanOrEqual(after);

    await delay(5);
    const one = (await fetchJson(`${orders.url}/orders/1`)).body as AnsweredOrder;
    expect(one.servedAt).toBeGreaterThan(servedAt);
  });

  it('createdAt is the same instant as the monolith\'s ISO string, in epoch milliseconds', async () => {
    const { orders } = await bothSides();
    const one = (await fetchJson(`${orders.url}/orders/1`)).body as AnsweredOrder;
    expect(one.createdAt).toBe(Date.UTC(2024, 2, 1, 9, 15, 0, 0));
    expect((await fetchJson(`${legacy.url}/orders/1`)).body).toMatchObject({ createdAt: '2024-03-01T09:15:00.000Z' });
  });
});
