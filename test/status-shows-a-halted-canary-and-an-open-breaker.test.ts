// GET /status on a canary route whose canary fails: the canary side counts its 5xx as
// strangler_requests_total does, the halt (state.canaryHalt) shows as `canary 0%` with its
// reason, and the breaker towards the canary as the route's policies describe it.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric } from './helpers/misbehaving.js';
import type { TestProxy } from './helpers/servers.js';
import { haltedCanary, type HaltedCanary } from './helpers/halted-canary.js';
import type { MigrationStatus } from '../src/status/types.js';

describe('GET /status on a failing canary', () => {
  let stack: HaltedCanary, proxy: TestProxy, status: MigrationStatus;
  beforeAll(async () => {
    stack = await haltedCanary();
    proxy = stack.proxy;
    status = (await (await fetch(proxy.adminUrl + '/status')).json()) as MigrationStatus;
  });
  afterAll(async () => {
    await stack?.close();
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
