// What the status needs of the live table, as plain data: each route's label and upstreams (its
// stage follows from them), the legacy upstream, and each route's live state in this process
// (a halted canary, the canary's progress, the breaker). Reads the table; changes nothing.

import type { RoutePolicies } from '../policies/route-policies.js';
import type { RouteState } from '../routing/route-state.js';
import type { RouteTable } from '../routing/table.js';
import type { RouteLive } from './cells.js';
import type { CanaryProgressView } from './types.js';

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

/** The progressive canary's view: `canaryProgress` is added to RouteState by the progressive-canary
 *  work (canary.steps); read defensively so this builds (and answers null) without it. */
function canaryProgressOf(state: RouteState): CanaryProgressView | null {
  return (state as { canaryProgress?: { view(): CanaryProgressView } | null }).canaryProgress?.view() ?? null;
}

function breakerOf(p: RoutePolicies | null): string | null {
  if (p === null) return null;
  const b = (p.describe() as { breaker?: { state: string } | null }).breaker;
  return b == null ? null : b.state;
}

/** Each label's live state in this process (the first route of a label speaks for it). */
export function routeLives(table: RouteTable): RouteLive[] {
  const out = new Map<string, RouteLive>();
  for (const r of table.routes) {
    if (out.has(r.label)) continue;
    const primary = breakerOf(r.state.policies);
    out.set(r.label, {
      route: r.label,
      halted: r.state.canaryHalt?.halted ?? null,
      progress: canaryProgressOf(r.state),
      breaker: primary === null ? null : { primary, canary: breakerOf(r.state.canaryPolicies) },
    });
  }
  return [...out.values()];
}
