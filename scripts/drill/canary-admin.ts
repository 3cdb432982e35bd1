// What the canary drill reads from the proxy's admin API: the canary metrics of a route
// (strangler_canary_requests_total by side, strangler_canary_halted) from GET /metrics, and the
// route's canary state (routes[i].state.canary) from GET /routes.
import { get, parsePrometheus } from './fault-admin.js';
import { epochMs } from './common-clock.js';

export interface CanaryMetrics {
  /** Epoch ms when the metrics were read (the response's arrival). */
  readonly at: number;
  readonly primary: number;
  readonly canary: number;
  /** strangler_canary_halted for the route; undefined when absent. */
  readonly halted: number | undefined;
}

export async function readCanaryMetrics(adminUrl: string, route: string): Promise<CanaryMetrics> {
  const samples = parsePrometheus(await get(`${adminUrl}/metrics`)).filter((s) => s.labels['route'] === route);
  const side = (name: string): number =>
    samples.filter((s) => s.name === 'strangler_canary_requests_total' && s.labels['side'] === name).reduce((n, s) => n + s.value, 0);
  return {
    at: epochMs(),
    primary: side('primary'),
    canary: side('canary'),
    halted: samples.find((s) => s.name === 'strangler_canary_halted')?.value,
  };
}

export interface CanaryRouteState {
  /** routes[i].state.canary.halted: { at, reason } or null. */
  readonly halted: { readonly at?: string; readonly reason?: string } | null;
  /** routes[i].state.canary.window, if shown. */
  readonly window: { readonly requests?: number; readonly errors?: number } | undefined;
}

/** routes[i].state.canary of the route with this prefix in GET /routes. */
export async function readCanaryState(adminUrl: string, prefix: string): Promise<CanaryRouteState> {
  type Shown = { prefix?: string; state?: { canary?: { halted?: CanaryRouteState['halted']; window?: CanaryRouteState['window'] } } };
  const table = JSON.parse(await get(`${adminUrl}/routes`)) as { routes?: Shown[] };
  const route = table.routes?.find((r) => r.prefix === prefix);
  if (route === undefined) throw new Error(`no route ${prefix} in /routes`);
  const canary = route.state?.canary;
  if (canary === undefined) throw new Error(`/routes shows no state.canary for ${prefix}`);
  return { halted: canary.halted ?? null, window: canary.window };
}
