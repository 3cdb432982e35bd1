// strangler_canary_percent{route}: the percentage of each canary route's requests its canary takes
// now: the fixed percent, a progressive canary's live step, 0 while halted. Read from the live
// table when /metrics is scraped (nothing on the request path). With workers the primary owns it
// (it decides the steps and hears of every halt).

import client, { type Registry } from 'prom-client';

/** What the gauge reads of a compiled route (routing/table.ts's CompiledRoute). */
export interface CanaryRouteView {
  readonly label: string;
  readonly canary: { readonly percent: number } | null;
  readonly state: {
    readonly canaryHalt: { readonly halted: unknown } | null;
    readonly canaryProgress: { readonly percent: number } | null;
  };
}

export function canaryPercentGauge(registry: Registry, routes: () => Iterable<CanaryRouteView>): client.Gauge<'route'> {
  const gauge: client.Gauge<'route'> = new client.Gauge({
    name: 'strangler_canary_percent',
    help: 'The percentage of a canary route\'s requests sent to its canary now (a progressive canary\'s live step; 0 while halted).',
    labelNames: ['route'] as const,
    aggregator: 'max',
    registers: [registry],
    collect() {
      gauge.reset(); // routes a reload removed are gone from the next scrape
      for (const r of routes()) {
        if (r.canary === null) continue;
        const live = r.state.canaryHalt?.halted != null ? 0 : (r.state.canaryProgress?.percent ?? r.canary.percent);
        gauge.set({ route: r.label }, live);
      }
    },
  });
  return gauge;
}
