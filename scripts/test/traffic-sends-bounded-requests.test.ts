import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { describeTraffic, parseTrafficArgs, planTraffic, sendTraffic, type TrafficOptions } from '../lib/demo/traffic.js';

interface Seen {
  method: string;
  url: string;
  body: string;
}

/** A stand-in for the proxy: records every request it receives, answers 200 with a small JSON. */
async function standIn(): Promise<{ url: string; seen: Seen[]; inFlight: () => number; maxInFlight: () => number; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = http.createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body: Buffer.concat(chunks).toString() });
      // A little latency, so that requests overlap and the concurrency bound shows.
      setTimeout(() => {
        inFlight--;
        res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' }).end('{"ok":true}');
      }, 5);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())).then(() => undefined),
  };
}

function options(argv: string[]): TrafficOptions {
  const opts = parseTrafficArgs(argv);
  if (opts === 'help') throw new Error('unexpected help');
  return opts;
}

describe('npm run traffic (scripts/lib/demo/traffic.ts)', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it('with --requests 40, sends exactly 40 requests, at most --concurrency at a time, and stops', async () => {
    const server = await standIn();
    closers.push(server.close);
    const opts = options(['--url', server.url, '--requests', '40', '--concurrency', '4']);

    const summary = await sendTraffic(opts);

    expect(server.seen).toHaveLength(40);
    expect(summary).toMatchObject({ sent: 40, notSent: 0, failed: 0 });
    expect(server.maxInFlight()).toBeLessThanOrEqual(4);
    // Done means done: nothing is still on its way.
    await delay(200);
    expect(server.seen).toHaveLength(40);
    expect(server.inFlight()).toBe(0);

    // What arrived is the planned mix: reads across orders, users and payments, one write.
    const planned = planTraffic(40, opts.seed);
    expect(server.seen.map((r) => `${r.method} ${r.url}`).sort()).toEqual(planned.map((r) => `${r.method} ${r.path}`).sort());
    const posts = server.seen.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ url: '/orders' });
    expect(JSON.parse(posts[0]!.body)).toMatchObject({ userId: expect.any(Number), product: expect.any(String), quantity: expect.any(Number) });
    for (const pattern of [/^\/orders$/, /^\/orders\/\d+$/, /^\/orders\?userId=\d+$/, /^\/users/, /^\/payments/]) {
      expect(server.seen.some((r) => r.method === 'GET' && pattern.test(r.url))).toBe(true);
    }
    expect(summary.mirrored).toBe(planned.filter((r) => r.mirrored).length);
    expect(summary.mirrored).toBe(server.seen.filter((r) => ['GET', 'HEAD'].includes(r.method) && r.url.startsWith('/orders')).length);

    const text = describeTraffic(summary, opts);
    expect(text).toContain(`sent 40 requests to ${server.url}`);
    expect(text).toContain('by status: 200 x39, 201 x1');
    expect(text).toContain('curl localhost:9901/shadow/report');
    expect(text).toContain('open http://127.0.0.1:9901/shadow');
    expect(text).toMatch(/^  open http:\/\/127\.0\.0\.1:9901\/ +# the dashboard/m);
    expect(text).toContain('npx strangler report');
  });

  it('stops at once when nothing listens, and says so', async () => {
    const server = await standIn();
    await server.close(); // a port that was just free: nothing listens there now
    const opts = options(['--url', server.url, '--requests', '500', '--concurrency', '2']);

    const summary = await sendTraffic(opts);

    expect(summary.refused).toBe('ECONNREFUSED');
    expect(summary.sent).toBeLessThanOrEqual(2);
    expect(summary.notSent).toBe(500 - summary.sent);
    expect(describeTraffic(summary, opts)).toContain(`nothing listens at ${server.url}`);
  });

  it('sends only to this machine', () => {
    expect(() => parseTrafficArgs(['--url', 'http://example.com:8080'])).toThrow(/only sent to this machine/);
    expect(() => parseTrafficArgs(['--url', 'http://10.0.0.1'])).toThrow(/only sent to this machine/);
    expect(options(['--url', 'http://[::1]:8080/ignored/path']).url.origin).toBe('http://[::1]:8080');
    expect(options([]).url.origin).toBe('http://localhost:8080');
    expect(() => parseTrafficArgs(['--requests', '0'])).toThrow(/--requests must be an integer/);
  });

  it('defaults to the ports the demo was moved to (PORT, ADMIN_PORT), as npm start reads them', () => {
    const moved = parseTrafficArgs([], { PORT: '18180', ADMIN_PORT: '18191' }) as TrafficOptions;
    expect([moved.url.origin, moved.admin.origin]).toEqual(['http://localhost:18180', 'http://127.0.0.1:18191']);
    const flags = parseTrafficArgs(['--url', 'http://127.0.0.1:1', '--admin', 'http://127.0.0.1:2'], { PORT: '18180', ADMIN_PORT: '18191' }) as TrafficOptions;
    expect([flags.url.origin, flags.admin.origin]).toEqual(['http://127.0.0.1:1', 'http://127.0.0.1:2']);
  });

  it('plans the same run for the same seed, and the whole mix in every 40', () => {
    expect(planTraffic(100, 7)).toEqual(planTraffic(100, 7));
    expect(planTraffic(100, 7)).not.toEqual(planTraffic(100, 8));
    const first40 = planTraffic(40, 1);
    expect(first40.filter((r) => r.mirrored)).toHaveLength(23);
    expect(new Set(first40.map((r) => r.kind)).size).toBe(12);
  });
});
