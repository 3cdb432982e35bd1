// GET /status on a canary route whose canary fails: the canary side counts its 5xx as
// strangler_requests_total does, the halt (state.canaryHalt) shows as `canary 0%` with its
// reason, and the breaker towards the canary as the route's policies describe it.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric } from './helpers/misbehaving.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import type { MigrationStatus } from '../src/status/types.js';

describe('GET /status on a failing canary', () => {
  let legacy: Upstream, users: Upstream, proxy: TestProxy, status: MigrationStatus;
  beforeAll(async () => {
    legacy = await startUpstream((_req, res) => res.end('legacy'));
    users = await startUpstream((_req, res) => res.writeHead(500).end('broken'));
    proxy = await startProxy(
      upstreamsYaml({ legacy: legacy.url, users: users.url }) +
        'routes:\n  - prefix: /users\n    upstream: legacy\n    breaker: { consecutiveFailures: 3, halfOpenAfterMs: 600000 }\n    retry: { attempts: 1, on: [] }\n' +
        '    canary: { upstream: users, percent: 0, forceHeader: x-canary, halt: { maxErrorRate: 0.5, minRequests: 5, windowMs: 60000 } }\n',
    );
    for (let i = 0; i < 8; i++) await (await fetch(`${proxy.url}/users/${i}`, { headers: { 'x-canary': 'on' } })).arrayBuffer();
    status = (await (await fetch(proxy.adminUrl + '/status')).json()) as MigrationStatus;
  });
  afterAll(async () => {
    await proxy?.close();
    await Promise.all([legacy?.close(), users?.close()]);
  });

  it('shows the halted canary at 0%, with its reason', () => {
    const r = status.routes[0]!;
    expect(r.stageText).toBe('canary 0%');
    expect(r.canary).toMatchObject({ upstream: 'users', percent: 0, progress: null });
    expect(r.canary!.halted!.reason).toMatch(/exceeds maxErrorRate 0.5/);
  });

  it('counts each side as /metrics does, the canary errors as its 5xx', async () => {
    const r = status.routes[0]!;
    const canary = r.sides.find((s) => s.role === 'canary')!;
    const primary = r.sides.find((s) => s.role === 'primary')!;
    expect(canary.requests).toBe(await metric(proxy.adminUrl, 'strangler_requests_total', { route: '/users', upstream: 'users' }));
    expect(canary.requests).toBe(5); // halted at the 5th; the rest went to the primary
    expect(canary.errorRate).toBe(1);
    expect(primary.requests).toBe(await metric(proxy.adminUrl, 'strangler_requests_total', { route: '/users', upstream: 'legacy' }));
    expect(primary).toMatchObject({ requests: 3, errorRate: 0 });
  });

  it('shows the breaker towards each side', async () => {
    expect(status.routes[0]!.breaker).toEqual({ primary: 'closed', canary: 'open' });
  });
});
