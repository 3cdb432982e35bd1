// A route's runtime state: what must outlive a reload when the route's effective config did not
// change (the breaker, the retry budget, a halted canary, as those features land), and start
// fresh when it did. The compiler hands the previous table's state to an unchanged route.

import type { CanaryHalt } from '../canary/halt.js';
import type { CanaryProgress } from '../canary/progress.js';
import type { RoutePolicies } from '../policies/route-policies.js';
import type { ShadowState } from '../shadow/state.js';

export class RouteState {
  readonly since = new Date();
  /** Retry, breaker and budget; null for a route with none (it takes the plain forwarding path). */
  readonly policies: RoutePolicies | null;
  /** The same policies towards the canary upstream (their own breaker and budget). */
  readonly canaryPolicies: RoutePolicies | null;
  /** The canary's error window and halt; null without a canary. */
  readonly canaryHalt: CanaryHalt | null;

  /** Shadow copies in flight, learned noise, compiled compare options; null without a shadow. */
  readonly shadow: ShadowState | null;
  /** A progressive canary's step and figures (canary.steps); null for a fixed canary or none. */
  readonly canaryProgress: CanaryProgress | null;

  constructor(policies: RoutePolicies | null, canaryPolicies: RoutePolicies | null, canaryHalt: CanaryHalt | null, shadow: ShadowState | null, canaryProgress: CanaryProgress | null = null) {
    this.policies = policies;
    this.canaryPolicies = canaryPolicies;
    this.canaryHalt = canaryHalt;
    this.shadow = shadow;
    this.canaryProgress = canaryProgress;
  }
}
