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
  /** Tries of this side that failed and that the route's fallback answered (not in `requests`:
   *  the fallback's side counts the request). Absent from an older process: 0. */
  fellBack?: number;
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
  /** Merged sides (processes up for different times): the time over which `window.requests` is
   *  their summed rate (requests / windowMs). Absent: the cells' windowMs. */
  readonly windowMs?: number;
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
  /** How long the window covers (ms): from the oldest slot it sums (or the process's start, when
   *  later) to now, between 290 and 300 s once the process is 5 minutes old (coveredMs). Merged
   *  cells: the longest of them (each side says its own, `CellSide.windowMs`). */
  readonly windowMs: number;
  readonly sides: readonly CellSide[];
  /** Requests answered by a fallback since start, by route label. */
  readonly fallbacks: Readonly<Record<string, number>>;
  /** Oldest first, one point per 10 s that had requests, at most 360. */
  readonly series: readonly SeriesPoint[];
  readonly live: readonly RouteLive[];
}

const BREAKER_RANK: Record<string, number> = { closed: 0, 'half-open': 1, open: 2 };
const worse = (a: string, b: string): string => ((BREAKER_RANK[b] ?? 0) > (BREAKER_RANK[a] ?? 0) ? b : a);

/** One route label's live state from two sources (two workers, or two routes of one label in one
 *  process): the worse breaker, the earlier halt, either progress. */
export function mergeLive(a: RouteLive, b: RouteLive): RouteLive {
  const breaker =
    a.breaker === null ? b.breaker
    : b.breaker === null ? a.breaker
    : { primary: worse(a.breaker.primary, b.breaker.primary), canary: a.breaker.canary === null ? b.breaker.canary : b.breaker.canary === null ? a.breaker.canary : worse(a.breaker.canary, b.breaker.canary) };
  const halted = a.halted === null ? b.halted : b.halted === null ? a.halted : a.halted.at <= b.halted.at ? a.halted : b.halted;
  return { route: a.route, halted, progress: a.progress ?? b.progress, breaker };
}

export const WINDOW_MS = 300_000;
export const SLOT_MS = 10_000;
export const WINDOW_SLOTS = WINDOW_MS / SLOT_MS;
export const SERIES_POINTS = 360;

/** The time the window covers at `now` for a process started at `startedAt`: the window sums
 *  the current slot (its elapsed part) and the 29 before it, none older than the start. */
export function coveredMs(now: number, startedAt: number): number {
  const oldestSlotStart = (Math.floor(now / SLOT_MS) - WINDOW_SLOTS + 1) * SLOT_MS;
  return Math.max(0, now - Math.max(startedAt, oldestSlotStart));
}

/** Requests per second over a window of `windowMs` (at least a second: a process just started). */
export function perSecond(requests: number, windowMs: number): number {
  return requests / Math.max(1, windowMs / 1000);
}

export function emptyCells(): StatusCells {
  return { windowMs: 0, sides: [], fallbacks: {}, series: [], live: [] };
}
