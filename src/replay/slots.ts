// At most N tasks in flight: acquire() waits for a free slot, release() frees one, drained()
// waits until none is taken.

export class Slots {
  #free: number;
  readonly #size: number;
  #waiting: (() => void)[] = [];
  #idle: (() => void)[] = [];

  constructor(size: number) {
    this.#size = size;
    this.#free = size;
  }

  acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) return next(); // the slot passes straight on
    this.#free++;
    if (this.#free === this.#size) {
      const idle = this.#idle;
      this.#idle = [];
      for (const resolve of idle) resolve();
    }
  }

  drained(): Promise<void> {
    if (this.#free === this.#size) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }
}
