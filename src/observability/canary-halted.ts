// strangler_canary_halted{route}: 1 while a canary route's canary is halted (all its traffic on
// the primary upstream), else 0. Read from the live table when /metrics is scraped (nothing on the
// request path), so a route a reload removed, or whose change started its canary afresh, shows no
// stale 1. Two routes of one label: 1 if either is halted. With workers, each worker's table
// holds every halt (its own, and those the primary tells it of); the primary keeps the highest.

import type { Gauge, Registry } from 'prom-client';
import { liveGauge } from './live-gauge.js';

/** What the gauge reads of a compiled route (routing/table.ts's CompiledRoute). */
export interface HaltRouteView {
  readonly label: string;
  readonly state: { readonly canaryHalt: { readonly halted: unknown } | null };
}

export function canaryHaltedGauge(registry: Registry, routes: () => Iterable<HaltRouteView>): Gauge<'route'> {
  const def = { name: 'strangler_canary_halted', help: '1 while a route\'s canary is halted (all its traffic on the primary upstream).', labelNames: ['route'] as const };
  return liveGauge(registry, def, (set) => {
    for (const r of routes()) if (r.state.canaryHalt !== null) set({ route: r.label }, r.state.canaryHalt.halted != null ? 1 : 0);
  });
}
