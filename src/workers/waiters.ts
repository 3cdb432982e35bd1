// Promises that wait for a condition over changing state, re-tested whenever the state changes
// (check()), each with an optional time bound. No polling.

interface Waiter {
  readonly test: () => boolean;
  readonly resolve: (ok: boolean) => void;
}

export class Waiters {
  readonly #waiting = new Set<Waiter>();

  /** Resolves true once `test()` holds (at once if it does now), false after `timeoutMs`. */
  until(test: () => boolean, timeoutMs?: number): Promise<boolean> {
    if (test()) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const w: Waiter = {
        test,
        resolve: (ok) => {
          clearTimeout(timer);
          this.#waiting.delete(w);
          resolve(ok);
        },
      };
      if (timeoutMs !== undefined) timer = setTimeout(() => w.resolve(false), timeoutMs);
      this.#waiting.add(w);
    });
  }

  /** The state changed: every waiter whose condition holds now resolves. */
  check(): void {
    for (const w of [...this.#waiting]) if (w.test()) w.resolve(true);
  }
}
