// Counting a client's stream resets over a sliding window (pure): the HTTP/2 rapid-reset limit
// (CVE-2023-44487). More than `limit` resets within `windowMs` trips it.

export const RAPID_RESET_LIMIT = 200;
export const RAPID_RESET_WINDOW_MS = 10_000;

export class ResetWindow {
  readonly #limit: number;
  readonly #windowMs: number;
  /** Times of the resets still inside the window, oldest first (at most limit + 1). */
  readonly #times: number[] = [];

  constructor(limit = RAPID_RESET_LIMIT, windowMs = RAPID_RESET_WINDOW_MS) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  /** Records one reset at `now` (ms); true when more than the limit fell within the window. */
  record(now: number): boolean {
    const times = this.#times;
    times.push(now);
    while (times[0]! <= now - this.#windowMs) times.shift();
    if (times.length > this.#limit + 1) times.shift();
    return times.length > this.#limit;
  }
}
