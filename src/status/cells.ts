// The raw figures behind the migration status, as one plain JSON value: what a worker hands the
// primary and a replica hands `strangler status`, merged by merge.ts (counts add, histograms
// merge) and turned into a MigrationStatus by build.ts. Kept apart from the built status because
// a p99 or a rate cannot be merged, the counts and histograms they come from can.

import type { Histogram } from '../shadow/histogram.js';
import type { CanaryProgressView, SideStatus } from './types.js';

export type Role = SideStatus['role'];

export interface Counts {
  requests: number;
  /** Answers that failed: a 5xx from the upstream or a proxy error answer. */
  errors: number;
  latency: Histogram;
}

/** One upstream in one role on one route (by label). */
export interface CellSide {
  readonly route: string;
  readonly upstream: string;
  readonly role: Role;
  /** The last 5 minutes (whole 10-second slots). */
  readonly window: Counts;
  /** Since the process started, across every reload. */
  readonly total: Counts;
}

export interface SeriesPoint {
  /** Start of the 10-second slot (ISO). */
  readonly at: string;
  readonly requests: number;
  readonly nonLegacy: number;
}

/** A route's live state in one process (workers and replicas each have theirs). */
export interface RouteLive {
  readonly route: string;
  readonly halted: null | { readonly at: string; readonly reason: string };
  readonly progress: CanaryProgressView | null;
  /** Breaker state names (closed, open, half-open); null: the route has no breaker. */
  readonly breaker: null | { readonly primary: string; readonly canary: string | null };
}

export interface StatusCells {
  /** How long the window covers (ms): 5 minutes, less while the process is younger. */
  readonly windowMs: number;
  readonly sides: readonly CellSide[];
  /** Requests answered by a fallback since start, by route label. */
  readonly fallbacks: Readonly<Record<string, number>>;
  /** Oldest first, one point per 10 s that had requests, at most 360. */
  readonly series: readonly SeriesPoint[];
  readonly live: readonly RouteLive[];
}

export const WINDOW_MS = 300_000;
export const SLOT_MS = 10_000;
export const WINDOW_SLOTS = WINDOW_MS / SLOT_MS;
export const SERIES_POINTS = 360;

export function emptyCells(): StatusCells {
  return { windowMs: 0, sides: [], fallbacks: {}, series: [], live: [] };
}
