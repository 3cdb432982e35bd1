// Retry budget: retries may add at most `percent` of a route's requests over a sliding window,
// but a few retries per window are always allowed (so a quiet route can still retry). Retries in
// flight are counted for /routes only. Two half-window buckets make the window slide without
// per-request timestamps.

import { systemClock, type Clock } from '../util/clock.js';

export class RetryBudget {
  readonly #percent: number;
  readonly #windowMs: number;
  readonly #minRetries: number;
  #bucketStart = 0;
  #requests = [0, 0];
  #retries = [0, 0];
  #inFlightRetries = 0;
  readonly #clock: Clock;

  constructor(percent: number, opts: { windowMs?: number; minRetries?: number; clock?: Clock } = {}) {
    this.#percent = percent;
    this.#clock = opts.clock ?? systemClock;
    this.#windowMs = opts.windowMs ?? 10_000;
    this.#minRetries = opts.minRetries ?? 3;
  }

  #roll(now: number): void {
    const half = this.#windowMs / 2;
    const elapsed = now - this.#bucketStart;
    if (elapsed < half) return;
    if (elapsed < 2 * half) {
      this.#requests = [this.#requests[1]!, 0];
      this.#retries = [this.#retries[1]!, 0];
    } else {
      this.#requests = [0, 0];
      this.#retries = [0, 0];
    }
    this.#bucketStart = now - (elapsed % half);
  }

  /** Counts a first attempt. */
  request(now = this.#clock.now()): void {
    this.#roll(now);
    this.#requests[1]!++;
  }

  /** Whether one more retry fits the budget right now. */
  allows(now = this.#clock.now()): boolean {
    this.#roll(now);
    const requests = this.#requests[0]! + this.#requests[1]!;
    const retries = this.#retries[0]! + this.#retries[1]!;
    return retries + 1 <= Math.max(this.#minRetries, (requests * this.#percent) / 100);
  }

  /** Counts a retry as it starts; call the returned function when it ends. */
  retry(now = this.#clock.now()): () => void {
    this.#roll(now);
    this.#retries[1]!++;
    this.#inFlightRetries++;
    let done = false;
    return () => {
      if (!done) {
        done = true;
        this.#inFlightRetries--;
      }
    };
  }

  snapshot(): { requests: number; retries: number; inFlightRetries: number; percent: number } {
    this.#roll(this.#clock.now());
    return {
      requests: this.#requests[0]! + this.#requests[1]!,
      retries: this.#retries[0]! + this.#retries[1]!,
      inFlightRetries: this.#inFlightRetries,
      percent: this.#percent,
    };
  }
}
