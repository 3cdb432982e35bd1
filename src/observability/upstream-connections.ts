// strangler_upstream_connections{upstream,state}: the live table's undici pools, read when
// /metrics is scraped (nothing on the request path). From each pool's stats:
//   active  = connected - free   (connections carrying a request now; pipelining is 1)
//   idle    = free               (connected, waiting for the next request)
//   pending = pending            (requests waiting for a connection: undici's pool `pending`
//                                 already counts its own queue, `queued`, so it is not added again)
// Two upstream names with the same url and settings share one pool: each reports that pool.
// With workers, the primary sums the workers' values (a gauge's default aggregator).

import client, { type Registry } from 'prom-client';

/** What the gauge reads of an upstream (forward/pools.ts's Upstream). */
export interface PoolView {
  readonly name: string;
  readonly pool: { readonly stats: { readonly connected: number; readonly free: number; readonly pending: number } };
}

export function upstreamConnectionsGauge(registry: Registry, upstreams: () => Iterable<PoolView>): client.Gauge<'upstream' | 'state'> {
  const gauge: client.Gauge<'upstream' | 'state'> = new client.Gauge({
    name: 'strangler_upstream_connections',
    help: 'Connections to each upstream by state (active, idle), and requests pending for one.',
    labelNames: ['upstream', 'state'] as const,
    registers: [registry],
    collect() {
      gauge.reset(); // upstreams a reload removed are gone from the next scrape
      for (const u of upstreams()) {
        const { connected, free, pending } = u.pool.stats;
        gauge.set({ upstream: u.name, state: 'active' }, connected - free);
        gauge.set({ upstream: u.name, state: 'idle' }, free);
        gauge.set({ upstream: u.name, state: 'pending' }, pending);
      }
    },
  });
  return gauge;
}

/** strangler_upgrades_open: upgrades (WebSocket) in their handshake or tunnel now, read at scrape
 *  time; a tunnel's access line and counts come only when it closes, hours later maybe. */
export function openUpgradesGauge(registry: Registry, open: () => number): client.Gauge {
  const gauge: client.Gauge = new client.Gauge({
    name: 'strangler_upgrades_open',
    help: 'Upgraded connections (WebSocket) in their handshake or tunnel now.',
    registers: [registry],
    collect() {
      gauge.set(open());
    },
  });
  return gauge;
}
