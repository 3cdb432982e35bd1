// The series whose label values a route's config tells in advance exist at 0 as soon as its table
// is loaded or reloaded, before any request: a shadow's match and mismatch, a canary's two sides, a
// fallback's reasons, each upstream's duration histogram. So "match rate < 0.99" sees 0 at 0%
// matching (not an empty result), and increase() counts a series' first event (it rises from a 0
// sample). Series of values not known in advance (a status) still start with their first event.

import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { metricLines } from './helpers/scrape.js';

let proxy: TestProxy | undefined;
let legacy: Upstream | undefined;
let users: Upstream | undefined;
afterEach(async () => {
  await proxy?.close();
  await Promise.all([legacy?.close(), users?.close()]);
  proxy = legacy = users = undefined;
});

const series = (p: TestProxy, name: string): Promise<string[]> => metricLines(p.adminUrl, name);

async function upstreams(): Promise<string> {
  legacy = await startUpstream((_req, res) => res.end('legacy'));
  users = await startUpstream((_req, res) => res.end('users'));
  return upstreamsYaml({ legacy: legacy.url, users: users.url });
}

const FALLBACK_REASONS = ['connect-error', 'reset', 'timeout', 'cancelled', 'circuit_open', 'status_5xx'];

describe('series known in advance', () => {
  it('exist at 0 once the table is loaded, before any request', async () => {
    proxy = await startProxy(
      (await upstreams()) +
        'routes:\n' +
        '  - { prefix: /orders, upstream: legacy, shadow: { upstream: users } }\n' +
        '  - { prefix: /users, upstream: legacy, canary: { upstream: users, percent: 10 } }\n' +
        '  - { prefix: /pay, upstream: users, fallback: legacy }\n',
      { watch: false },
    );

    expect(await series(proxy, 'strangler_shadow_comparisons_total')).toEqual([
      'strangler_shadow_comparisons_total{route="/orders",result="match",reason=""} 0',
      'strangler_shadow_comparisons_total{route="/orders",result="mismatch",reason=""} 0',
    ]);
    expect(await series(proxy, 'strangler_canary_requests_total')).toEqual([
      'strangler_canary_requests_total{route="/users",side="primary"} 0',
      'strangler_canary_requests_total{route="/users",side="canary"} 0',
    ]);
    expect(await series(proxy, 'strangler_fallbacks_total')).toEqual(
      FALLBACK_REASONS.map((reason) => `strangler_fallbacks_total{route="/pay",from="users",to="legacy",reason="${reason}"} 0`),
    );
    expect(await series(proxy, 'strangler_request_duration_seconds_count')).toEqual([
      'strangler_request_duration_seconds_count{route="/orders",upstream="legacy"} 0',
      'strangler_request_duration_seconds_count{route="/users",upstream="legacy"} 0',
      'strangler_request_duration_seconds_count{route="/users",upstream="users"} 0',
      'strangler_request_duration_seconds_count{route="/pay",upstream="users"} 0',
      'strangler_request_duration_seconds_count{route="/pay",upstream="legacy"} 0',
    ]);
    // A status is not known in advance: no request, no series.
    expect(await series(proxy, 'strangler_requests_total')).toEqual([]);
  });

  it('exist at 0 for a shadow a reload adds, and a route that never matches has a match series at 0', async () => {
    const yaml = await upstreams();
    proxy = await startProxy(yaml + 'routes:\n  - { prefix: /orders, upstream: legacy }\n', { watch: false });
    expect(await series(proxy, 'strangler_shadow_comparisons_total')).toEqual([]);

    await writeFile(proxy.file, yaml + 'routes:\n  - { prefix: /orders, upstream: legacy, shadow: { upstream: users } }\n');
    expect((await fetch(proxy.adminUrl + '/reload', { method: 'POST' })).status).toBe(200);
    expect(await series(proxy, 'strangler_shadow_comparisons_total')).toEqual([
      'strangler_shadow_comparisons_total{route="/orders",result="match",reason=""} 0',
      'strangler_shadow_comparisons_total{route="/orders",result="mismatch",reason=""} 0',
    ]);

    // legacy and users answer differently: every comparison is a mismatch, and match stays at 0.
    const event = once(proxy.proxy.shadow, 'event');
    expect(await (await fetch(proxy.url + '/orders')).text()).toBe('legacy');
    await event;
    expect(await series(proxy, 'strangler_shadow_comparisons_total')).toEqual([
      'strangler_shadow_comparisons_total{route="/orders",result="match",reason=""} 0',
      'strangler_shadow_comparisons_total{route="/orders",result="mismatch",reason=""} 1',
    ]);
  });
});
