// A canary that halted (its error rate) with its breaker open: no request goes to the canary until
// a reload, so no trial ever closes that breaker, and strangler_breaker_state said 1 for it until
// then: the shipped StranglerBreakerOpen alert paged long after the canary's service was back (the
// cutover walkthrough). The halted canary's breaker is left out; strangler_canary_halted says it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric } from './helpers/misbehaving.js';
import type { TestProxy } from './helpers/servers.js';
import { haltedCanary, type HaltedCanary } from './helpers/halted-canary.js';

describe('strangler_breaker_state once a canary has halted', () => {
  let stack: HaltedCanary, proxy: TestProxy;
  beforeAll(async () => {
    stack = await haltedCanary();
    proxy = stack.proxy;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('reports the primary breaker, not the halted canary one', async () => {
    expect(await metric(proxy.adminUrl, 'strangler_canary_halted', { route: '/users' })).toBe(1);
    expect(await metric(proxy.adminUrl, 'strangler_breaker_state', { route: '/users', upstream: 'legacy' })).toBe(0);
    const text = await (await fetch(`${proxy.adminUrl}/metrics`)).text();
    expect(text).not.toMatch(/^strangler_breaker_state\{[^}]*upstream="users"/m);
  });
});
