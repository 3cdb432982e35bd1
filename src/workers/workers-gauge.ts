// strangler_workers{state="running"}: the processes serving the public port. With --workers N the
// primary reports its workers that are ready (group.ts); a single process reports itself, 1 while
// it serves and 0 once it drains, so the series is there whatever the worker count.

import client from 'prom-client';

export function workersGauge(registry: client.Registry, running: () => number): void {
  const gauge: client.Gauge<'state'> = new client.Gauge({
    name: 'strangler_workers',
    help: 'Worker processes (node:cluster) by state: running (serving the public port).',
    labelNames: ['state'] as const,
    registers: [registry],
    collect: () => gauge.set({ state: 'running' }, running()),
  });
}
