// Waiting for a log event of the fault and canary drills: the first item of a growing list that
// matches, whether it is there already or still to come (the owner calls `wake` after each push).

export class FirstMatch<T> {
  readonly #items: readonly T[];
  readonly #waiters = new Set<() => void>();

  constructor(items: readonly T[]) {
    this.#items = items;
  }

  /** Resolves with the first item matching `pred`, or undefined after timeoutMs. */
  waitFor(pred: (item: T) => boolean, timeoutMs: number): Promise<T | undefined> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        const found = this.#items.find(pred);
        if (found === undefined) return false;
        this.#waiters.delete(wake);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const wake = (): void => void check();
      const timer = setTimeout(() => {
        this.#waiters.delete(wake);
        resolve(undefined);
      }, Math.max(0, timeoutMs));
      if (!check()) this.#waiters.add(wake);
    });
  }

  /** The list grew: every waiter looks again. */
  wake(): void {
    for (const wake of [...this.#waiters]) wake();
  }
}
