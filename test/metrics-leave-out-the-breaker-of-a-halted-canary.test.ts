// A canary that halted (its error rate) with its breaker open: no request goes to the canary until
// a reload, so no trial ever closes that breaker, and strangler_breaker_state said 1 for it until
// then: the shipped StranglerBreakerOpen alert paged long after the canary's service was back (the
// cutover walkthrough). The halted canary's breaker is left out; strangler_canary_halted says it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric } from './helpers/misbehaving.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

describe('strangler_breaker_state once a canary has halted', () => {
  let legacy: Upstream, users: Upstream, proxy: TestProxy;
  beforeAll(async () => {
    legacy = await startUpstream((_req, res) => res.end('legacy'));
    users = await startUpstream((_req, res) => res.writeHead(500).end('broken'));
    proxy = await startProxy(
      upstreamsYaml({ legacy: legacy.url, users: users.url }) +
        'routes:\n  - prefix: /users\n    upstream: legacy\n    breaker: { consecutiveFailures: 3, halfOpenAfterMs: 600000 }\n    retry: { attempts: 1, on: [] }\n' +
        '    canary: { upstream: users, percent: 0, forceHeader: x-canary, halt: { maxErrorRate: 0.5, minRequests: 5, windowMs: 60000 } }\n',
    );
    for (let i = 0; i < 8; i++) await (await fetch(`${proxy.url}/users/${i}`, { headers: { 'x-canary': 'on' } })).arrayBuffer();
  });
  afterAll(async () => {
    await proxy?.close();
    await Promise.all([legacy?.close(), users?.close()]);
  });

  it('reports the primary breaker, not the halted canary one', async () => {
    expect(await metric(proxy.adminUrl, 'strangler_canary_halted', { route: '/users' })).toBe(1);
    expect(await metric(proxy.adminUrl, 'strangler_breaker_state', { route: '/users', upstream: 'legacy' })).toBe(0);
    const text = await (await fetch(`${proxy.adminUrl}/metrics`)).text();
    expect(text).not.toMatch(/^strangler_breaker_state\{[^}]*upstream="users"/m);
  });
});
