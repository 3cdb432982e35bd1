// Request bodies kept for a retry or a fallback (resilient.ts) are bounded one by one
// (server.maxBufferBytes) and, all together, by this budget: past it a body streams through
// unkept, as one over maxBufferBytes does (a retry can then resend it only while nothing of it
// has been read). Without it, N concurrent uploads to routes with policies held N x
// maxBufferBytes (up to 16 MiB each) for as long as their clients took to send them.

/** The process-wide bound on the bytes of kept request bodies. */
export const KEPT_BODIES_MAX_BYTES = 256 * 1024 * 1024;

export class BodyBudget {
  readonly max: number;
  #used = 0;

  constructor(max: number = KEPT_BODIES_MAX_BYTES) {
    this.max = max;
  }

  /** Reserves `n` bytes until `owner` closes (the response: no retry comes after it); false,
   *  reserving nothing, when that would pass the bound. */
  keep(n: number, owner: { once(event: 'close', listener: () => void): unknown }): boolean {
    if (this.#used + n > this.max) return false;
    this.#used += n;
    owner.once('close', () => {
      this.#used -= n;
    });
    return true;
  }

  /** Bytes reserved now. */
  get used(): number {
    return this.#used;
  }
}

/** The budget every route of this process shares (tests build their own). */
export const processBodyBudget = new BodyBudget();
