// The routes.yaml of the fault drill: /users on the extracted users service with the resilience
// policies under test (timeout, retry, breaker, fallback to the monolith), everything else on the
// monolith (see common-routes.ts).
import { drillRoutesYaml } from './common-routes.js';

export const RETRY_ON = ['connect-error', 'reset', 'timeout', 502, 503, 504] as const;

export interface FaultPolicy {
  readonly timeoutMs: number;
  readonly retry: { readonly attempts: number; readonly backoffMs: number; readonly on: readonly (string | number)[] };
  readonly breaker: { readonly consecutiveFailures: number; readonly halfOpenAfterMs: number };
  readonly fallback: 'legacy';
}

export const FAULT_POLICY: FaultPolicy = {
  timeoutMs: 1000,
  retry: { attempts: 2, backoffMs: 20, on: RETRY_ON },
  breaker: { consecutiveFailures: 5, halfOpenAfterMs: 2000 },
  fallback: 'legacy',
};

export interface FaultRoutesOptions {
  readonly legacyUrl: string;
  readonly usersUrl: string;
  readonly policy?: FaultPolicy;
}

export function faultRoutesYaml(o: FaultRoutesOptions): string {
  const p = o.policy ?? FAULT_POLICY;
  return drillRoutesYaml({
    comment: 'written by npm run drill (scripts/drill.ts): the users service is killed under load',
    legacyUrl: o.legacyUrl,
    usersUrl: o.usersUrl,
    usersRoute: [
      'upstream: users',
      `timeoutMs: ${p.timeoutMs}`,
      `retry: { attempts: ${p.retry.attempts}, backoffMs: ${p.retry.backoffMs}, on: [${p.retry.on.join(', ')}] }`,
      `breaker: { consecutiveFailures: ${p.breaker.consecutiveFailures}, halfOpenAfterMs: ${p.breaker.halfOpenAfterMs} }`,
      `fallback: ${p.fallback}`,
    ],
  });
}

/** One line for the summary. */
export function describePolicy(p: FaultPolicy = FAULT_POLICY): string {
  return (
    `timeoutMs ${p.timeoutMs}, retry { attempts ${p.retry.attempts}, backoffMs ${p.retry.backoffMs}, on [${p.retry.on.join(', ')}] }, ` +
    `breaker { consecutiveFailures ${p.breaker.consecutiveFailures}, halfOpenAfterMs ${p.breaker.halfOpenAfterMs} }, fallback ${p.fallback}`
  );
}
