// strangler_canary_percent{route}: the percentage of each canary route's requests its canary takes
// now: the fixed percent, a progressive canary's live step, 0 while halted. Read from the live
// table when /metrics is scraped (nothing on the request path). With workers the primary owns it
// (it decides the steps and hears of every halt).

import type { Gauge, Registry } from 'prom-client';
import { liveGauge } from './live-gauge.js';

/** What the gauge reads of a compiled route (routing/table.ts's CompiledRoute). */
export interface CanaryRouteView {
  readonly label: string;
  readonly canary: { readonly percent: number } | null;
  readonly state: {
    readonly canaryHalt: { readonly halted: unknown } | null;
    readonly canaryProgress: { readonly percent: number } | null;
  };
}

export function canaryPercentGauge(registry: Registry, routes: () => Iterable<CanaryRouteView>): Gauge<'route'> {
  const def = {
    name: 'strangler_canary_percent',
    help: 'The percentage of a canary route\'s requests sent to its canary now (a progressive canary\'s live step; 0 while halted).',
    labelNames: ['route'] as const,
  };
  return liveGauge(registry, def, (set) => {
    for (const r of routes()) {
      if (r.canary === null) continue;
      set({ route: r.label }, r.state.canaryHalt?.halted != null ? 0 : (r.state.canaryProgress?.percent ?? r.canary.percent));
    }
  });
}
