// A route's first try goes out without cockatiel's wrappers when they would let its success
// through untouched: no failure counted by a closed breaker since its last success. Whatever the
// wrappers would act on (a failure, a retryable status, a 5xx under a breaker) is handed to them
// as their first result: the breaker counts it and retries follow, as when it went through them.

import { CircuitState } from 'cockatiel';
import { describe, expect, it, vi } from 'vitest';
import { Metrics } from '../src/observability/metrics.js';
import { AttemptError, RoutePolicies, type AttemptContext, type AttemptOutcome } from '../src/policies/route-policies.js';
import { UpstreamFailure } from '../src/forward/failure.js';
import { createStreamLogger } from '../src/observability/logger.js';
import { Writable } from 'node:stream';

const logger = createStreamLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
const ctx: AttemptContext = { requestId: 'r', method: 'GET', note: () => {}, mayReplay: () => true, tries: 0, budgetDenied: () => {} };
const answer = (status: number): AttemptOutcome => ({ ctx, status, discard: () => {} });
const refused = (): Promise<AttemptOutcome> => Promise.reject(new AttemptError(new UpstreamFailure('connect-error', 'refused'), ctx));

function policies(attempts: number, consecutiveFailures = 2): RoutePolicies {
  return new RoutePolicies(
    1000,
    { attempts, backoffMs: 0, maxBackoffMs: 0, on: ['connect-error', 503], budgetPercent: 100 },
    { consecutiveFailures, halfOpenAfterMs: 60_000 },
    { logger, metrics: new Metrics({ processMetrics: false }), route: '/r', upstream: 'u' },
  );
}

describe('a route with retry and breaker', () => {
  it('sends a first try bare while the breaker is closed and clean, and hands it every failure', async () => {
    const p = policies(1);
    const through = vi.spyOn(p.breaker!, 'execute');
    await expect(p.execute(ctx, () => Promise.resolve(answer(200)))).resolves.toMatchObject({ status: 200 });
    expect(through).not.toHaveBeenCalled(); // a success: no wrapper asked

    await expect(p.execute(ctx, refused)).rejects.toBeInstanceOf(AttemptError);
    expect(through).toHaveBeenCalledTimes(1); // the failure was counted: 1 of 2

    await expect(p.execute(ctx, () => Promise.resolve(answer(200)))).resolves.toMatchObject({ status: 200 });
    expect(through).toHaveBeenCalledTimes(2); // not clean: through the breaker, whose count goes back to 0

    await expect(p.execute(ctx, refused)).rejects.toBeInstanceOf(AttemptError);
    expect(p.breaker!.state).toBe(CircuitState.Closed); // 1 of 2 again, not 2: the success reset it
    await expect(p.execute(ctx, refused)).rejects.toBeInstanceOf(AttemptError);
    expect(p.breaker!.state).toBe(CircuitState.Open);
  });

  it('retries a retryable status sent bare, the same number of times as through the wrappers', async () => {
    const p = policies(3, 5);
    const statuses = [503, 503, 200];
    let tries = 0;
    const outcome = await p.execute(ctx, () => Promise.resolve(answer(statuses[tries++]!)));
    expect([tries, outcome.status]).toEqual([3, 200]);
  });
});
