// strangler_breaker_state{route,upstream}: each circuit breaker of the live table (a route's
// towards its upstream, and its canary's towards the canary), 0 closed, 1 open, 2 half-open.
// Read from the live table when /metrics is scraped (nothing on the request path), so the breaker
// of a route a reload removed or rebuilt is gone from the next scrape, never left at its last
// value. Two routes of one label (a methods split) towards one upstream: the highest. With
// workers, the primary keeps the highest of the workers' (max). A halted canary's breaker is left
// out: no request goes to the canary until a reload, so no trial ever closes it, and its open
// state paged (StranglerBreakerOpen) long after the canary's service was back;
// strangler_canary_halted says what is going on.

import type { Gauge, Registry } from 'prom-client';
import { liveGauge } from './live-gauge.js';

/** What the gauge reads of a route's policies (policies/route-policies.ts's RoutePolicies). */
export interface BreakerView {
  readonly upstream: string;
  /** 0 closed, 1 open, 2 half-open; null without a breaker. */
  breakerValue(): number | null;
}

/** What the gauge reads of a compiled route (routing/table.ts's CompiledRoute). */
export interface BreakerRouteView {
  readonly label: string;
  readonly state: {
    readonly policies: BreakerView | null;
    readonly canaryPolicies: BreakerView | null;
    readonly canaryHalt: { readonly halted: unknown } | null;
  };
}

export function breakerStateGauge(registry: Registry, routes: () => Iterable<BreakerRouteView>): Gauge<'route' | 'upstream'> {
  const def = { name: 'strangler_breaker_state', help: 'Circuit breaker state: 0 closed, 1 open, 2 half-open.', labelNames: ['route', 'upstream'] as const };
  return liveGauge(registry, def, (set) => {
    for (const r of routes()) {
      const canary = r.state.canaryHalt?.halted == null ? r.state.canaryPolicies : null;
      for (const p of [r.state.policies, canary]) {
        const value = p?.breakerValue() ?? null;
        if (value !== null) set({ route: r.label, upstream: p!.upstream }, value);
      }
    }
  });
}
