// The bounded tee of a body that flows past: keeps the first `max` bytes (the chunks as they
// came, sliced, never copied), then only counts. Never holds the stream back.

const EMPTY = Buffer.alloc(0);

export class BodyTee {
  readonly #max: number;
  #chunks: Buffer[] | null = null;
  #kept = 0;
  /** Every byte seen, also past `max`. */
  bytes = 0;

  constructor(max: number) {
    this.#max = max;
  }

  add(chunk: Buffer): void {
    this.bytes += chunk.length;
    const room = this.#max - this.#kept;
    if (room <= 0 || chunk.length === 0) return;
    const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
    (this.#chunks ??= []).push(part);
    this.#kept += part.length;
  }

  get truncated(): boolean {
    return this.bytes > this.#kept;
  }

  /** The bytes kept (at most `max`). */
  get kept(): Buffer {
    const c = this.#chunks;
    if (c === null) return EMPTY;
    return c.length === 1 ? c[0]! : Buffer.concat(c, this.#kept);
  }
}
