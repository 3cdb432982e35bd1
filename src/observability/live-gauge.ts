// A gauge read from the live table when /metrics is scraped (nothing on the request path): reset,
// then set from what is live now, so a series a reload removed (a route, its breaker, its canary)
// is gone from the next scrape, never left at its last value. A series given twice (two routes of
// one label: a methods split) keeps the highest value; with workers the primary keeps the highest
// of the workers' (aggregator max). The route gauges (canary-percent.ts, canary-halted.ts,
// breaker-state.ts) are each one of these.

import client, { type Registry } from 'prom-client';

export type SetLive<L extends string> = (labels: Record<L, string>, value: number) => void;

export function liveGauge<L extends string>(
  registry: Registry,
  def: { readonly name: string; readonly help: string; readonly labelNames: readonly L[] },
  read: (set: SetLive<L>) => void,
): client.Gauge<L> {
  const gauge: client.Gauge<L> = new client.Gauge<L>({
    name: def.name,
    help: def.help,
    labelNames: def.labelNames,
    aggregator: 'max', // workers: merged by the primary (not summed)
    registers: [registry],
    collect() {
      const highest = new Map<string, { labels: Record<L, string>; value: number }>();
      read((labels, value) => {
        const key = JSON.stringify(labels);
        const had = highest.get(key);
        if (had === undefined || had.value < value) highest.set(key, { labels, value });
      });
      gauge.reset();
      for (const { labels, value } of highest.values()) gauge.set(labels, value);
    },
  });
  return gauge;
}
