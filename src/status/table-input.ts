// What the status needs of the live table, as plain data: each route's label and upstreams (its
// stage follows from them), the legacy upstream, and each route's live state in this process
// (a halted canary, the canary's progress, the breaker). Reads the table; changes nothing.

import type { RoutePolicies } from '../policies/route-policies.js';
import type { RouteTable } from '../routing/table.js';
import { mergeLive, type RouteLive } from './cells.js';

export interface RouteInput {
  readonly label: string;
  readonly prefix: string;
  readonly host: string | null;
  readonly upstream: string;
  readonly shadow: string | null;
  readonly canary: null | { readonly upstream: string; readonly percent: number };
  readonly fallback: string | null;
}

/** `server.legacyUpstream`, else the upstream named `legacy` when there is one, else null. */
export function legacyUpstreamOf(table: RouteTable): string | null {
  return table.server.legacyUpstream ?? (table.upstreams.has('legacy') ? 'legacy' : null);
}

export function routeInputs(table: RouteTable): RouteInput[] {
  return table.routes.map((r) => ({
    label: r.label,
    prefix: r.prefix,
    host: r.host,
    upstream: r.upstream.name,
    shadow: r.shadow?.upstream.name ?? null,
    canary: r.canary === null ? null : { upstream: r.canary.upstream.name, percent: r.canary.percent },
    fallback: r.fallback?.upstream.name ?? null,
  }));
}

function breakerOf(p: RoutePolicies | null): string | null {
  if (p === null) return null;
  const b = (p.describe() as { breaker?: { state: string } | null }).breaker;
  return b == null ? null : b.state;
}

/** Each label's live state in this process. Routes sharing a label (a `methods` route beside one
 *  without) are merged as workers' are (mergeLive): whichever has a halt, a progress or a breaker
 *  speaks for it, whatever their order in the file. */
export function routeLives(table: RouteTable): RouteLive[] {
  const out = new Map<string, RouteLive>();
  for (const r of table.routes) {
    const primary = breakerOf(r.state.policies);
    const mine: RouteLive = {
      route: r.label,
      halted: r.state.canaryHalt?.halted ?? null,
      progress: r.state.canaryProgress?.view() ?? null,
      breaker: primary === null ? null : { primary, canary: breakerOf(r.state.canaryPolicies) },
    };
    const seen = out.get(r.label);
    out.set(r.label, seen === undefined ? mine : mergeLive(seen, mine));
  }
  return [...out.values()];
}
