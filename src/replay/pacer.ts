// `--rate R`: requests start at most R per second, evenly spaced (the first at once). Pure
// arithmetic over an injected clock: the caller waits the delay it is given.

import type { Clock } from '../util/clock.js';

export class Pacer {
  readonly #gapMs: number;
  #next = -Infinity;

  /** `rate`: requests per second; null: no limit. */
  constructor(rate: number | null, private readonly clock: Clock) {
    this.#gapMs = rate === null ? 0 : 1000 / rate;
  }

  /** Takes the next start slot; how many ms to wait before starting (0: at once). */
  take(): number {
    if (this.#gapMs === 0) return 0;
    const now = this.clock.now();
    const at = Math.max(now, this.#next);
    this.#next = at + this.#gapMs;
    return at - now;
  }
}
