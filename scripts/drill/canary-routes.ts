// The routes.yaml of the canary drill: /users stays on the monolith (the primary) with a sticky
// 20 % canary to "users" (the drill's stand-in in front of the extracted users service) and the
// automatic halt under test; everything else on the monolith (see common-routes.ts).
import { drillRoutesYaml } from './common-routes.js';

export interface CanaryPolicy {
  readonly percent: number;
  readonly stickyOn: string;
  readonly halt: { readonly maxErrorRate: number; readonly minRequests: number; readonly windowMs: number };
  /** With `fallback: legacy`, a failed canary request is answered by the monolith (and still counts as a failure). */
  readonly fallback: boolean;
}

export const CANARY_POLICY: CanaryPolicy = {
  percent: 20,
  stickyOn: 'header:x-user-id',
  halt: { maxErrorRate: 0.05, minRequests: 50, windowMs: 10_000 },
  fallback: false,
};

export interface CanaryRoutesOptions {
  readonly legacyUrl: string;
  /** Where the canary upstream "users" lives: the drill's stand-in. */
  readonly usersUrl: string;
  readonly policy: CanaryPolicy;
}

export function canaryRoutesYaml(o: CanaryRoutesOptions): string {
  const p = o.policy;
  const h = p.halt;
  return drillRoutesYaml({
    comment: 'written by npm run drill -- --scenario canary (scripts/drill.ts): the canary starts answering 500',
    legacyUrl: o.legacyUrl,
    usersUrl: o.usersUrl,
    usersRoute: [
      'upstream: legacy',
      `canary: { upstream: users, percent: ${p.percent}, stickyOn: "${p.stickyOn}", halt: { maxErrorRate: ${h.maxErrorRate}, minRequests: ${h.minRequests}, windowMs: ${h.windowMs} } }`,
      ...(p.fallback ? ['fallback: legacy'] : []),
    ],
  });
}

/** One line for the summary. */
export function describeCanaryPolicy(p: CanaryPolicy): string {
  const h = p.halt;
  return (
    `upstream legacy, canary { upstream users, percent ${p.percent}, stickyOn "${p.stickyOn}", ` +
    `halt { maxErrorRate ${h.maxErrorRate}, minRequests ${h.minRequests}, windowMs ${h.windowMs} } }, ` +
    (p.fallback ? 'fallback legacy' : 'no fallback')
  );
}

/** Why the drill runs with or without the fallback (printed with the summary). */
export function fallbackChoice(p: CanaryPolicy): string {
  return p.fallback
    ? 'fallback: legacy (--canary-fallback): a failed canary request is answered again by the monolith, so clients ' +
        'should see no error at all; each such request still counts as a canary failure and shows as x-strangler-fallback: legacy'
    : 'no fallback (the default): the clients get the canary\'s 500s until the halt, so the drill measures the real ' +
        'damage a bad canary does before the halt stops it; --canary-fallback runs it with fallback: legacy instead';
}
