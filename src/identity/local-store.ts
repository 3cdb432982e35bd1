// Token buckets in this process (no server.rateLimitStore). One Map, used as an LRU: a bucket
// taken from is moved to the end (at most once a second: a busy client pays a lookup, not a
// delete and an insert, and the order stays true to within a second), and past `maxKeys` the
// least recently used is dropped. A
// dropped key starts again full, which errs towards the client and keeps memory bounded whatever
// the number of clients (a flood of spoofed keys costs at most maxKeys buckets). `take` is
// synchronous: no promise on the hot path, no allocation but the decision (and a new key's bucket).

import { systemClock, type Clock } from '../util/clock.js';
import { fullBucket, takeInPlace, type BucketState } from './token-bucket.js';
import type { RateLimitDecision, RateLimitStore } from './types.js';

export const DEFAULT_MAX_KEYS = 100_000;
/** How stale a bucket's place in the LRU order may be. */
const REORDER_AFTER_MS = 1000;

interface Bucket extends BucketState {
  /** When it was last moved to the end of the Map. */
  movedAtMs: number;
}

export class LocalRateLimitStore implements RateLimitStore {
  readonly #buckets = new Map<string, Bucket>();
  readonly #maxKeys: number;
  readonly #clock: Clock;

  constructor(opts: { readonly maxKeys?: number; readonly clock?: Clock } = {}) {
    this.#maxKeys = Math.max(1, opts.maxKeys ?? DEFAULT_MAX_KEYS);
    this.#clock = opts.clock ?? systemClock;
  }

  take(key: string, perSecond: number, burst: number): RateLimitDecision {
    const now = this.#clock.now();
    const buckets = this.#buckets;
    let bucket = buckets.get(key);
    if (bucket === undefined) {
      bucket = { ...fullBucket(now, burst), movedAtMs: now };
      if (buckets.size >= this.#maxKeys) {
        // The first key in insertion order is the least recently used one.
        for (const oldest of buckets.keys()) {
          buckets.delete(oldest);
          break;
        }
      }
      buckets.set(key, bucket);
    } else if (now - bucket.movedAtMs >= REORDER_AFTER_MS || now < bucket.movedAtMs) {
      bucket.movedAtMs = now;
      buckets.delete(key);
      buckets.set(key, bucket);
    }
    return takeInPlace(bucket, now, perSecond, burst);
  }

  /** How many buckets are held (for tests and metrics). */
  get size(): number {
    return this.#buckets.size;
  }

  close(): void {
    this.#buckets.clear();
  }
}
