import { afterEach, describe, expect, it } from 'vitest';
import { idleCloseCrossing, idleClosing, rawHead, type Misbehaving } from './helpers/misbehaving.js';
import { startProxy, type TestProxy } from './helpers/servers.js';

const started: Misbehaving[] = [];
let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await Promise.all(started.splice(0).map((u) => u.close()));
  proxy = undefined;
});

async function upstream(hint: boolean): Promise<Misbehaving> {
  const u = await idleClosing(hint);
  started.push(u);
  return u;
}

/** GET, POST, POST, GET: each sent once the upstream closed the previous one's socket as idle. */
const SEQUENCE = ['GET', 'POST', 'POST', 'GET'] as const;

async function runSequence(p: TestProxy, u: Misbehaving, prefix: string): Promise<void> {
  const before = u.arrivals.length;
  for (const [i, method] of SEQUENCE.entries()) {
    const path = `${prefix}/${i}`;
    const r = await fetch(p.url + path, method === 'POST' ? { method, body: `order ${i}` } : { method });
    expect({ path, status: r.status, body: await r.text() }).toEqual({ path, status: 200, body: `${method} ${path}` });
    const arrival = u.arrivals[u.arrivals.length - 1]!;
    if (method === 'POST') expect((await arrival.body).toString()).toBe(`order ${i}`);
    // The upstream closes the now idle keep-alive socket (after 1 s); the next request comes after.
    await arrival.socketClosed;
  }
  // Each request reached the upstream exactly once (no failure, and no silent resend of a POST).
  expect(u.arrivals.slice(before).map((a) => `${a.method} ${a.url}`)).toEqual(SEQUENCE.map((m, i) => `${m} ${prefix}/${i}`));
}

const yaml = (plain: Misbehaving, resilient: Misbehaving) =>
  `upstreams:\n  plain: { url: "${plain.url}" }\n  resilient: { url: "${resilient.url}" }\n` +
  'routes:\n' +
  '  - { prefix: /plain, upstream: plain }\n' +
  '  - { prefix: /resilient, upstream: resilient, retry: { attempts: 3, backoffMs: 0, maxBackoffMs: 0, on: [connect-error, reset, 503] } }\n';

describe('keep-alive sockets the upstream closed as idle are not failures', () => {
  it('with the hint (Keep-Alive: timeout=1): every request succeeds, POSTs included, each sent once', async () => {
    const [plain, resilient] = [await upstream(true), await upstream(true)];
    expect(await rawHead(plain.port)).toMatch(/\r\nKeep-Alive: timeout=1(\r\n|$)/i);
    proxy = await startProxy(yaml(plain, resilient));
    await Promise.all([runSequence(proxy, plain, '/plain'), runSequence(proxy, resilient, '/resilient')]);
  });

  it('without the hint (the upstream just closes sockets idle for 1 s): every request succeeds, POSTs included, each sent once', async () => {
    const [plain, resilient] = [await upstream(false), await upstream(false)];
    const head = await rawHead(plain.port);
    expect(head).toMatch(/\r\nConnection: keep-alive/i);
    expect(head).not.toMatch(/\r\nKeep-Alive:/i);
    proxy = await startProxy(yaml(plain, resilient));
    await Promise.all([runSequence(proxy, plain, '/plain'), runSequence(proxy, resilient, '/resilient')]);
  });
});

describe('the idle close crossing a request in flight (the race keepAliveMs below the upstream timeout avoids)', () => {
  it('a GET on a resilient route is retried on a fresh connection; a POST is not replayed (502)', async () => {
    const u = await idleCloseCrossing();
    started.push(u);
    proxy = await startProxy(
      `upstreams:\n  app: { url: "${u.url}", connections: 1 }\n` +
        'routes:\n  - { prefix: /r, upstream: app, retry: { attempts: 3, backoffMs: 0, maxBackoffMs: 0, on: [connect-error, reset] } }\n',
    );
    // Warm the one pooled connection.
    expect((await fetch(proxy.url + '/r/warm')).status).toBe(200);
    // The GET goes out on the warm socket, which the upstream closes: a reset, retried on a new one.
    const get = await fetch(proxy.url + '/r/get');
    expect(get.status).toBe(200);
    expect(await get.text()).toBe('GET /r/get');
    expect(u.arrivals.map((a) => `${a.method} ${a.url}`)).toEqual(['GET /r/warm', 'GET /r/get', 'GET /r/get']);
    // Same for a POST: it may have been read, so it is not sent again.
    const post = await fetch(proxy.url + '/r/post', { method: 'POST', body: 'once' });
    expect(post.status).toBe(502);
    expect(u.arrivals.filter((a) => a.method === 'POST')).toHaveLength(1);
    expect(u.connections).toHaveLength(2);
  });
});
