// A retry that the circuit breaker refuses (it opened on the try before) is never sent, so it is
// no retry sent: strangler_upstream_retries_total ("retries sent to an upstream") and the retry
// budget count only the retries that went out, as the access line's `retried` does. (The
// "retrying" log line announces a retry when it is scheduled, with its delay.) README: "A retry
// never goes into an open breaker".
import { afterEach, expect, it } from 'vitest';
import { answer, metric, scripted, type Misbehaving } from './helpers/misbehaving.js';
import { startProxy, testClock, upstreamsYaml, type TestProxy } from './helpers/servers.js';
import { LOG } from '../src/observability/log-messages.js';

let up: Misbehaving | undefined;
let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await up?.close();
});

it('counts the one retry sent, not the one the opened breaker refused', async () => {
  up = await scripted(() => answer(503, 'down'));
  proxy = await startProxy(
    upstreamsYaml({ app: up.url }) +
      'routes:\n  - prefix: /r\n    upstream: app\n    retry: { attempts: 3, on: [503], backoffMs: 0 }\n    breaker: { consecutiveFailures: 2, halfOpenAfterMs: 60000 }\n',
    { clock: testClock() },
  );
  const res = await fetch(`${proxy.url}/r/x`, { headers: { 'x-request-id': 'r-1' } });
  // Try 1 fails, the retry (try 2) fails and opens the breaker; the third try is refused by it.
  expect(res.status).toBe(503);
  expect(((await res.json()) as { error: string }).error).toBe('circuit_open');
  expect(up.arrivals.length).toBe(2);

  expect(await metric(proxy.adminUrl, 'strangler_upstream_retries_total', { route: '/r', upstream: 'app', reason: '503' })).toBe(1);
  const access = proxy.logs.find((l) => l.msg === LOG.request && l.requestId === 'r-1');
  expect(access).toMatchObject({ status: 503, error: 'circuit_open', retried: 1 });
});
