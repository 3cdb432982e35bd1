// The series a route's config tells in advance (RouteMeters.prime creates them at 0 when the table
// is compiled), and the fallback reasons strangler_fallbacks_total counts by.

/** strangler_fallbacks_total's reasons (policies/resilient.ts): all known in advance. */
export const FALLBACK_REASONS = ['connect-error', 'reset', 'timeout', 'cancelled', 'circuit_open', 'status_5xx'] as const;
export type FallbackReason = (typeof FALLBACK_REASONS)[number];

/** What a route's config tells in advance of its series: RouteMeters.prime creates them at 0. */
export interface KnownSeries {
  /** Upstreams that may answer it (its own, its canary, its fallback): the duration histogram. */
  readonly upstreams: readonly string[];
  readonly canary: boolean;
  readonly shadow: boolean;
  /** Each side that may fall back (`from`) to the fallback upstream (`to`). */
  readonly fallbacks: readonly { readonly from: string; readonly to: string }[];
}
