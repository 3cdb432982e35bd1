// How long the primary waits before re-forking a worker that died (crash-loop backoff), per
// worker slot: at once after a worker that had stayed up STABLE_MS (a one-off crash: capacity
// back as soon as possible); after a worker that died sooner, FIRST_MS, doubling with each such
// death in a row, up to MAX_MS. A worker that stays up STABLE_MS resets the slot.

export interface BackoffPolicy {
  readonly firstMs: number;
  readonly maxMs: number;
  /** A worker up at least this long before it died ends a crash loop. */
  readonly stableMs: number;
}

export const BACKOFF: BackoffPolicy = { firstMs: 100, maxMs: 10_000, stableMs: 10_000 };

/** The delay before the next fork, given how long each of the slot's dead workers had been up
 *  (oldest first; the one that just died last). */
export function nextDelay(lifetimesMs: readonly number[], policy: BackoffPolicy = BACKOFF): number {
  let quick = 0;
  for (let i = lifetimesMs.length - 1; i >= 0 && lifetimesMs[i]! < policy.stableMs; i--) quick++;
  if (quick === 0) return 0;
  // 2 ** 30 is far past any sane maxMs: no overflow to Infinity however long the loop runs.
  return Math.min(policy.maxMs, policy.firstMs * 2 ** Math.min(quick - 1, 30));
}

/** The lifetimes that still matter to nextDelay: the quick ones since the last stable one (bounded). */
export function remember(lifetimesMs: readonly number[], lifetimeMs: number, policy: BackoffPolicy = BACKOFF): number[] {
  if (lifetimeMs >= policy.stableMs) return [lifetimeMs];
  return [...lifetimesMs, lifetimeMs].slice(-40);
}
