// strangler_breaker_state{route,upstream}: each circuit breaker of the live table (a route's
// towards its upstream, and its canary's towards the canary), 0 closed, 1 open, 2 half-open.
// Read from the live table when /metrics is scraped (nothing on the request path), so the breaker
// of a route a reload removed or rebuilt is gone from the next scrape, never left at its last
// value. Two routes of one label (a methods split) towards one upstream: the highest. With
// workers, the primary keeps the highest of the workers' (max).

import client, { type Registry } from 'prom-client';

/** What the gauge reads of a route's policies (policies/route-policies.ts's RoutePolicies). */
export interface BreakerView {
  readonly upstream: string;
  /** 0 closed, 1 open, 2 half-open; null without a breaker. */
  breakerValue(): number | null;
}

/** What the gauge reads of a compiled route (routing/table.ts's CompiledRoute). */
export interface BreakerRouteView {
  readonly label: string;
  readonly state: { readonly policies: BreakerView | null; readonly canaryPolicies: BreakerView | null };
}

export function breakerStateGauge(registry: Registry, routes: () => Iterable<BreakerRouteView>): client.Gauge<'route' | 'upstream'> {
  const gauge: client.Gauge<'route' | 'upstream'> = new client.Gauge({
    name: 'strangler_breaker_state',
    help: 'Circuit breaker state: 0 closed, 1 open, 2 half-open.',
    labelNames: ['route', 'upstream'] as const,
    aggregator: 'max', // workers: merged by the primary (not summed)
    registers: [registry],
    collect() {
      const values = new Map<string, { route: string; upstream: string; value: number }>();
      for (const r of routes()) {
        for (const p of [r.state.policies, r.state.canaryPolicies]) {
          const value = p?.breakerValue() ?? null;
          if (value === null) continue;
          const key = `${r.label}\u0000${p!.upstream}`;
          const had = values.get(key);
          if (had === undefined || had.value < value) values.set(key, { route: r.label, upstream: p!.upstream, value });
        }
      }
      gauge.reset(); // breakers a reload removed are gone from the next scrape
      for (const { route, upstream, value } of values.values()) gauge.set({ route, upstream }, value);
    },
  });
  return gauge;
}
