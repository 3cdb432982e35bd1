import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { fetchJson, openStream, useLegacy } from './helpers.js';

/** Collects a stream's text; next(predicate) resolves once the text so far satisfies it. */
function reader(res: IncomingMessage) {
  let text = '';
  const waiters: (() => void)[] = [];
  res.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
    waiters.splice(0).forEach((wake) => wake());
  });
  const next = async (done: (text: string) => boolean): Promise<string> => {
    while (!done(text)) await new Promise<void>((wake) => waiters.push(wake));
    return text;
  };
  return { next };
}

function events(text: string): { event: string; data: unknown }[] {
  return text
    .split('\n\n')
    .filter((block) => /^event: /m.test(block))
    .map((block) => ({ event: /^event: (.*)$/m.exec(block)![1]!, data: JSON.parse(/^data: (.*)$/m.exec(block)![1]!) }));
}

describe('GET /notifications/stream', () => {
  const legacy = useLegacy({ heartbeatMs: 25 });

  it('sends an event for each created order and payment as it happens', async () => {
    const res = await openStream(`${legacy.url}/notifications/stream`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const stream = reader(res);
    await stream.next((t) => t.includes(': connected\n\n'));

    const order = await fetchJson(`${legacy.url}/orders`, { body: { userId: 1, product: 'Difference engine', quantity: 1 } });
    await stream.next((t) => events(t).length === 1);
    const payment = await fetchJson(`${legacy.url}/payments`, { body: { orderId: (order.body as { id: number }).id, amount: 99.95 } });
    const text = await stream.next((t) => events(t).length === 2);

    expect(events(text)).toEqual([
      { event: 'order.created', data: order.body },
      { event: 'payment.created', data: payment.body },
    ]);
    res.destroy();
  });

  it('sends heartbeat comments while idle', async () => {
    const res = await openStream(`${legacy.url}/notifications/stream`);
    const text = await reader(res).next((t) => t.includes(': heartbeat\n\n'));
    expect(events(text)).toEqual([]);
    res.destroy();
  });
});
