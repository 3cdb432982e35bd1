// After a reload that removes a route, /metrics shows no gauge of it any more: an open breaker's
// strangler_breaker_state 1 and a halted canary's strangler_canary_halted 1 go with their route
// (an alert on them must not fire for a route that no longer exists), as strangler_canary_percent
// and strangler_upstream_connections already went. Counters of the removed route stay.

import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { refusedPort, startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
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

/** The gauges keyed by route or upstream (the connections' have no route). */
async function gauges(p: TestProxy): Promise<Record<string, string[]>> {
  return {
    breaker: await series(p, 'strangler_breaker_state'),
    halted: await series(p, 'strangler_canary_halted'),
    percent: await series(p, 'strangler_canary_percent'),
  };
}

/** An open breaker on /dead and a halted canary on /canary; returns the upstreams' YAML. */
async function openAndHalt(): Promise<string> {
  legacy = await startUpstream((_req, res) => res.end('legacy'));
  users = await startUpstream((_req, res) => res.writeHead(500).end('boom'));
  const upstreams = upstreamsYaml({ legacy: legacy.url, users: users.url, dead: `http://127.0.0.1:${await refusedPort()}` });
  proxy = await startProxy(
    upstreams +
      'routes:\n' +
      '  - { prefix: /dead, upstream: dead, breaker: { consecutiveFailures: 1, halfOpenAfterMs: 600000 } }\n' +
      '  - prefix: /canary\n' +
      '    upstream: legacy\n' +
      '    canary: { upstream: users, percent: 0, forceHeader: x-canary, halt: { maxErrorRate: 0.5, minRequests: 1, windowMs: 600000 } }\n' +
      '  - { prefix: /, upstream: legacy }\n',
    { watch: false },
  );
  expect((await fetch(proxy.url + '/dead')).status).toBe(502); // connect refused: the breaker opens
  expect(await (await fetch(proxy.url + '/canary', { headers: { 'x-canary': 'on' } })).text()).toBe('boom'); // 1 of 1 failed: halted
  expect(await series(proxy, 'strangler_breaker_state')).toContain('strangler_breaker_state{route="/dead",upstream="dead"} 1');
  expect(await series(proxy, 'strangler_canary_halted')).toEqual(['strangler_canary_halted{route="/canary"} 1']);
  return upstreams;
}

async function reloadWith(p: TestProxy, yaml: string): Promise<void> {
  await writeFile(p.file, yaml);
  expect((await fetch(p.adminUrl + '/reload', { method: 'POST' })).status).toBe(200);
}

describe('gauges keyed by route or upstream', () => {
  it('leave with the routes a reload removes (an open breaker, a halted canary); their counters stay', async () => {
    const upstreams = await openAndHalt();
    await reloadWith(proxy!, upstreams + 'routes:\n  - { prefix: /, upstream: legacy }\n');

    expect(await gauges(proxy!)).toEqual({ breaker: [], halted: [], percent: [] });
    // Counters are totals since the start: the removed route's stay, as Prometheus counters do.
    expect((await series(proxy!, 'strangler_requests_total')).filter((l) => l.includes('route="/dead"'))).toHaveLength(1);
  });

  it('leave with the breaker or the canary a reload takes off a route that stays', async () => {
    const upstreams = await openAndHalt();
    await reloadWith(proxy!, upstreams + 'routes:\n  - { prefix: /dead, upstream: legacy }\n  - { prefix: /canary, upstream: legacy }\n  - { prefix: /, upstream: legacy }\n');

    expect(await gauges(proxy!)).toEqual({ breaker: [], halted: [], percent: [] });
  });
});
