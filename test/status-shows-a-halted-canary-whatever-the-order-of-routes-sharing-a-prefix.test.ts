// The README's pair: reads canaried on a `methods: [GET, HEAD]` route beside the prefix's route
// without methods. /status has one row per prefix, and the first route of the prefix in the file
// spoke for its live state: with the route without methods listed first, a halted canary showed
// as `canary 50%`, not halted, while strangler_canary_halted said 1 (the cutover walkthrough).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import type { MigrationStatus } from '../src/status/types.js';

describe('GET /status when the canaried methods route comes second in the file', () => {
  let legacy: Upstream, orders: Upstream, proxy: TestProxy, status: MigrationStatus;
  beforeAll(async () => {
    legacy = await startUpstream((_req, res) => res.end('legacy'));
    orders = await startUpstream((_req, res) => res.writeHead(500).end('broken'));
    proxy = await startProxy(
      upstreamsYaml({ legacy: legacy.url, orders: orders.url }) +
        'routes:\n  - prefix: /orders\n    upstream: legacy\n' +
        '  - prefix: /orders\n    methods: [GET, HEAD]\n    upstream: legacy\n    breaker: { consecutiveFailures: 3, halfOpenAfterMs: 600000 }\n' +
        '    canary: { upstream: orders, percent: 50, forceHeader: x-canary, halt: { maxErrorRate: 0.5, minRequests: 5, windowMs: 60000 } }\n',
    );
    for (let i = 0; i < 8; i++) await (await fetch(`${proxy.url}/orders/${i}`, { headers: { 'x-canary': 'on' } })).arrayBuffer();
    status = (await (await fetch(proxy.adminUrl + '/status')).json()) as MigrationStatus;
  });
  afterAll(async () => {
    await proxy?.close();
    await Promise.all([legacy?.close(), orders?.close()]);
  });

  it('shows the canary row halted at 0%, with its reason and its open breaker', () => {
    const row = status.routes.find((r) => r.prefix === '/orders' && r.canary !== null)!;
    expect(row.stageText).toBe('canary 0%');
    expect(row.canary).toMatchObject({ upstream: 'orders', percent: 0 });
    expect(row.canary!.halted!.reason).toMatch(/exceeds maxErrorRate 0.5/);
    expect(row.breaker).toEqual({ primary: 'closed', canary: 'open' });
  });
});
