import { afterEach, describe, expect, it } from 'vitest';
import { answer, metric, routeState, scripted, type Misbehaving } from './helpers/misbehaving.js';
import { startProxy, upstreamsYaml, type TestProxy } from './helpers/servers.js';

let up: Misbehaving | undefined;
let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await up?.close();
  proxy = up = undefined;
});

const REQUESTS = 200;
const PERCENT = 20;
/**
 * The bound asserted, for `clients` concurrent clients:
 *   retries <= PERCENT% of the requests + 3 + (clients - 1)
 * - PERCENT% of the requests: the budget itself (200 * 20% = 40);
 * - 3: the budget's small allowance ("a few retries are always allowed, so a quiet route can
 *   still retry"; RetryBudget's minimum), counted on top whether it acts as a floor or an add-on;
 * - clients - 1: a retry is granted when a try fails and counted when it starts (after its backoff),
 *   so the other clients' tries failing in between can each be granted one before the first is
 *   counted. Sequential requests (one client) get no such slack.
 * All within one budget window (10 s; these runs take well under one 5 s bucket, so every request
 * and retry of the run is inside it). Without a budget, attempts: 3 would send 400 retries.
 */
const bound = (clients: number) => Math.floor((REQUESTS * PERCENT) / 100) + 3 + (clients - 1);

const yaml = (url: string) =>
  upstreamsYaml({ app: url }) +
  `routes:\n  - { prefix: /storm, upstream: app, retry: { attempts: 3, backoffMs: 0, maxBackoffMs: 0, on: [503], budgetPercent: ${PERCENT} } }\n`;

async function expectWithinBudget(p: TestProxy, u: Misbehaving, clients: number): Promise<void> {
  const retries = u.arrivals.length - REQUESTS;
  // What the upstream saw and what the proxy says agree...
  expect(await metric(p.adminUrl, 'strangler_upstream_retries_total', { route: '/storm', upstream: 'app', reason: '503' })).toBe(retries);
  const budget = (await routeState(p.adminUrl, '/storm')).state.retryBudget as { requests: number; retries: number; inFlightRetries: number };
  expect(budget).toMatchObject({ requests: REQUESTS, retries, inFlightRetries: 0 });
  // ...and the retries stay within the budget.
  expect(retries).toBeGreaterThan(0); // the budget does allow some
  expect(retries).toBeLessThanOrEqual(bound(clients));
}

describe('the retry budget caps retries against an always-failing upstream', () => {
  it(`sequential: ${REQUESTS} GETs against an always-503 upstream send at most ${bound(1)} retries`, async () => {
    up = await scripted([answer(503, 'down')]);
    proxy = await startProxy(yaml(up.url));
    for (let i = 0; i < REQUESTS; i++) {
      const r = await fetch(proxy.url + `/storm/${i}`);
      expect(r.status).toBe(503);
      await r.arrayBuffer();
    }
    await expectWithinBudget(proxy, up, 1);
    // Each request the budget held back says so on its access line (as Envoy's URX flag); one that
    // got both its retries does not.
    const lines = await Promise.all(Array.from({ length: REQUESTS }, (_, i) => proxy!.logLine((l) => l.msg === 'request' && l.path === `/storm/${i}`)));
    const denied = lines.filter((l) => l.retryBudgetExhausted === true);
    expect(denied.length).toBeGreaterThan(0);
    for (const l of lines) expect(l.retryBudgetExhausted === true).toBe(((l.retried as number | undefined) ?? 0) < 2);
  });

  it(`bounded concurrency (8 clients): ${REQUESTS} GETs send at most ${bound(8)} retries`, async () => {
    up = await scripted([answer(503, 'down')]);
    proxy = await startProxy(yaml(up.url));
    let next = 0;
    const client = async () => {
      while (next < REQUESTS) {
        const i = next++;
        const r = await fetch(proxy!.url + `/storm/${i}`);
        expect(r.status).toBe(503);
        await r.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: 8 }, client));
    await expectWithinBudget(proxy, up, 8);
  });
});
