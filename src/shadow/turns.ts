// Comparisons that take several steps (a big HTML answer: slicing.ts) share the event loop with
// the traffic: a comparison runs its first step at once, then waits for a turn for each next
// one. One step runs per turn of the event loop, whichever comparison's it is (first come,
// first served), so however many comparisons are in progress, the requests being proxied wait
// at most one step between two reads of the sockets. The queue holds at most one entry per
// comparison in progress, and those are bounded by each route's shadow.maxConcurrent.

/** How steps ended: their value, or what one of them threw. */
export type StepsOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** Comparisons under way across turns at once (Turns.full). */
export const MAX_IN_PROGRESS = 2;

export class Turns {
  readonly #queue: (() => void)[] = [];
  readonly #schedule: (run: () => void) => void;
  readonly #onError: (err: unknown) => void;
  #scheduled = false;
  #inProgress = 0;
  #taken = 0;
  #idle: (() => void)[] = [];

  /**
   * `schedule`: runs a function on a later turn of the event loop (setImmediate). `onError`: told
   * what a `done` callback threw on a later turn (where nothing else would catch it: the process
   * would crash, failing the primary requests a comparison must never touch).
   */
  constructor(schedule: (run: () => void) => void = (run) => void setImmediate(run), onError: (err: unknown) => void = () => {}) {
    this.#schedule = schedule;
    this.#onError = onError;
  }

  /**
   * Runs `steps` to their end: the first at once (steps that never yield end here, before run
   * returns), each next one on a turn of its own. `done` is called once, with the value or what
   * a step threw.
   */
  run<T>(steps: Iterator<void, T>, done: (outcome: StepsOutcome<T>) => void): void {
    let waited = false;
    const step = (): void => {
      let outcome: StepsOutcome<T> | null = null;
      try {
        const r = steps.next();
        if (r.done === true) outcome = { ok: true, value: r.value };
      } catch (error) {
        outcome = { ok: false, error };
      }
      if (outcome === null) {
        if (!waited) {
          waited = true;
          this.#inProgress++;
        }
        this.#queue.push(step);
        this.#next();
        return;
      }
      if (!waited) return done(outcome); // still inside run(): its caller sees what done throws
      this.#ended();
      try {
        done(outcome);
      } catch (err) {
        this.#onError(err);
      }
    };
    step();
  }

  /** Comparisons that yielded and have not ended yet. */
  get inProgress(): number {
    return this.#inProgress;
  }

  /** As many comparisons under way across turns as may be: each holds both parsed documents
   *  (measured: ~44 MB of heap for a 1 MiB HTML page), so a new one of big HTML pages waits for
   *  none and is skipped (`overload`) instead; one that ends in a step is compared as ever. */
  get full(): boolean {
    return this.#inProgress >= MAX_IN_PROGRESS;
  }

  /** Steps run on a turn of their own so far (every step but the first of each run). */
  get turnsTaken(): number {
    return this.#taken;
  }

  /** Resolves once no comparison is in progress (at once when none is). */
  idle(): Promise<void> {
    if (this.#inProgress === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #next(): void {
    if (this.#scheduled || this.#queue.length === 0) return;
    this.#scheduled = true;
    this.#schedule(() => {
      this.#scheduled = false;
      const step = this.#queue.shift();
      this.#taken++;
      this.#next(); // the next turn's step, queued before this one runs (it may queue itself again)
      step?.();
    });
  }

  #ended(): void {
    if (--this.#inProgress > 0) return;
    const waiting = this.#idle;
    this.#idle = [];
    for (const resolve of waiting) resolve();
  }
}
