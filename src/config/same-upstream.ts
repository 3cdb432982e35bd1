// What a fallback, shadow or canary naming the route's own upstream means (pure), stated once:
// used by the cross-field rules (rules.ts) and by the effective step (routing/effective.ts).

/** A shadow of the route's own upstream would compare it with itself: it is off (allowed, so a
 *  cutover is one edit: `upstream: legacy` -> the new one). */
export function shadowIsOff(upstream: string, shadowUpstream: string): boolean {
  return shadowUpstream === upstream;
}

/** A canary of the route's own upstream would send its share where the rest goes: it is off
 *  (allowed, so the cutover a canary leads to is one edit: `upstream: legacy` -> `upstream: users`
 *  with `canary: { upstream: users, ... }` still there, as the status's "ready to cut over: set
 *  upstream: users" says). */
export function canaryIsOff(upstream: string, canaryUpstream: string): boolean {
  return canaryUpstream === upstream;
}

/** A fallback to the route's own upstream only serves its canary side (policies/resilient.ts);
 *  without a canary it could not help, so it is off (allowed, so a rollback is one edit:
 *  `upstream: users` -> `upstream: legacy` on a route with `fallback: legacy`). */
export function fallbackIsOff(upstream: string, fallback: string, hasCanary: boolean): boolean {
  return fallback === upstream && !hasCanary;
}

/** The upstream a fallback names, in the short form (`fallback: legacy`) or the long one. */
export function fallbackUpstream(fallback: string | { readonly upstream: string }): string {
  return typeof fallback === 'string' ? fallback : fallback.upstream;
}
