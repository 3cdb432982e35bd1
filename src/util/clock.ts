// Time and chance as values the caller hands in, so that the canary split, the halt window, the
// breaker and the retry budget can be driven by a test clock and a seeded source instead of real
// waiting and thousands of samples.

export interface Clock {
  /** Milliseconds since the epoch, like Date.now(). */
  now(): number;
}

/** A number in [0, 1), like Math.random(). */
export type Random = () => number;

export const systemClock: Clock = { now: Date.now };

export const systemRandom: Random = Math.random;
