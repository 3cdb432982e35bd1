// A route's runtime state: what must outlive a reload when the route's effective config did not
// change (the breaker, the retry budget, a halted canary, as those features land), and start
// fresh when it did. The compiler hands the previous table's state to an unchanged route.

import type { RoutePolicies } from '../policies/route-policies.js';

export class RouteState {
  readonly since = new Date();
  /** Retry, breaker and budget; null for a route with none (it takes the plain forwarding path). */
  readonly policies: RoutePolicies | null;

  constructor(policies: RoutePolicies | null) {
    this.policies = policies;
  }
}
