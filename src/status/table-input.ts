// What the status needs of the live table, as plain data: each label's upstreams (its stage
// follows from them), the legacy upstream, and each label's live state in this process (a halted
// canary, the canary's progress, the breaker). One row per label: the figures are kept by label
// (book.ts), so routes sharing one (a `methods` route beside one without, the README's pair) are
// one row, never two rows each showing all of the label's requests. Reads the table; changes nothing.

import type { RoutePolicies } from '../policies/route-policies.js';
import type { CompiledRoute, RouteTable } from '../routing/table.js';
import { mergeLive, type Role, type RouteLive } from './cells.js';

export interface RouteInput {
  readonly label: string;
  readonly prefix: string;
  readonly host: string | null;
  readonly upstream: string;
  readonly shadow: string | null;
  readonly canary: null | { readonly upstream: string; readonly percent: number };
  readonly fallback: string | null;
  /** The upstreams, with their roles, that the label's other routes name besides these (absent: none). */
  readonly otherSides?: readonly (readonly [string, Role])[];
}

/** The upstreams a row's routes name, with their roles: its sides, even before a request. */
export function configuredSides(r: RouteInput): (readonly [string, Role])[] {
  const sides: (readonly [string, Role])[] = [[r.upstream, 'primary']];
  if (r.canary !== null) sides.push([r.canary.upstream, 'canary']);
  if (r.fallback !== null) sides.push([r.fallback, 'fallback']);
  if (r.shadow !== null) sides.push([r.shadow, 'shadow']);
  for (const s of r.otherSides ?? []) if (!sides.some(([u, role]) => u === s[0] && role === s[1])) sides.push(s);
  return sides;
}

/** `server.legacyUpstream`, else the upstream named `legacy` when there is one, else null. */
export function legacyUpstreamOf(table: RouteTable): string | null {
  return table.server.legacyUpstream ?? (table.upstreams.has('legacy') ? 'legacy' : null);
}

export function routeInputs(table: RouteTable): RouteInput[] {
  const legacy = legacyUpstreamOf(table);
  const byLabel = new Map<string, RouteInput>();
  for (const r of table.routes) {
    const mine = inputOf(r);
    const seen = byLabel.get(r.label);
    byLabel.set(r.label, seen === undefined ? mine : merged(seen, mine, legacy));
  }
  return [...byLabel.values()];
}

function inputOf(r: CompiledRoute): RouteInput {
  return {
    label: r.label,
    prefix: r.prefix,
    host: r.host,
    upstream: r.upstream.name,
    shadow: r.shadow?.upstream.name ?? null,
    canary: r.canary === null ? null : { upstream: r.canary.upstream.name, percent: r.canary.percent },
    fallback: r.fallback?.upstream.name ?? null,
  };
}

/** Two routes of one label as one row. The row speaks for the routes its upstream answers: the
 *  legacy one while any route of the label still sends there (so the label is `cut over` only
 *  once all of it is), and the canary, shadow and fallback of a route answered by that upstream
 *  (the first in the file, if several). The other routes' upstreams are sides of the row all the
 *  same: a cut-over GET route's reverse shadow (`shadow: legacy`) never makes the legacy row
 *  read as shadowing to itself. */
function merged(a: RouteInput, b: RouteInput, legacy: string | null): RouteInput {
  const [row, other] = a.upstream !== legacy && b.upstream === legacy ? [b, a] : [a, b];
  const same = other.upstream === row.upstream;
  return {
    ...a,
    upstream: row.upstream,
    shadow: row.shadow ?? (same ? other.shadow : null),
    canary: row.canary ?? (same ? other.canary : null),
    fallback: row.fallback ?? (same ? other.fallback : null),
    otherSides: [...configuredSides(a), ...configuredSides(b)],
  };
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
