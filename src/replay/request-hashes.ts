// The noise pass's first memory (learn-noise.ts): for each distinct request, a 64-bit hash of it,
// a 32-bit hash of its first answer, and whether a later answer differed. Held in typed arrays
// (open addressing, linear probing): 13 bytes a slot, at most two slots a distinct request (13 MB
// for 400,000, where two base64 strings and a Map entry each took 38 MB). Bounded: at most
// MAX_REQUESTS distinct requests; later new ones are not tracked (their noise is not learned). A
// hash collision can only mark a request as varying: the second pass tells requests apart by
// their full key. Pure.

export const MAX_REQUESTS = 2_000_000;

const EMPTY = 0;
const SEEN = 1;
const VARYING = 2;

export class RequestHashes {
  #cap = 1024;
  #size = 0;
  /** Per slot: the request hash's high and low 32 bits, the first answer's hash. */
  #slots = new Uint32Array(this.#cap * 3);
  #state = new Uint8Array(this.#cap);

  get size(): number {
    return this.#size;
  }

  /** The slot of the request (hi, lo): where it is, or the empty slot where it would go. */
  #find(hi: number, lo: number): number {
    const mask = this.#cap - 1;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    while (this.#state[i] !== EMPTY && (this.#slots[i * 3] !== hi || this.#slots[i * 3 + 1] !== lo)) i = (i + 1) & mask;
    return i;
  }

  /** Notes one recorded answer (hash `answer`) of the request (hi, lo). */
  add(hi: number, lo: number, answer: number): void {
    const i = this.#find(hi, lo);
    const state = this.#state[i]!;
    if (state === SEEN && this.#slots[i * 3 + 2] !== answer >>> 0) this.#state[i] = VARYING;
    if (state !== EMPTY || this.#size >= MAX_REQUESTS) return;
    this.#slots[i * 3] = hi;
    this.#slots[i * 3 + 1] = lo;
    this.#slots[i * 3 + 2] = answer;
    this.#state[i] = SEEN;
    if (++this.#size * 2 > this.#cap) this.#grow();
  }

  /** Whether two answers of the request (hi, lo) differed. */
  varying(hi: number, lo: number): boolean {
    return this.#state[this.#find(hi, lo)] === VARYING;
  }

  /** Whether any request's answers differed. */
  anyVarying(): boolean {
    return this.#state.includes(VARYING);
  }

  #grow(): void {
    const slots = this.#slots;
    const state = this.#state;
    this.#cap *= 2;
    this.#slots = new Uint32Array(this.#cap * 3);
    this.#state = new Uint8Array(this.#cap);
    for (let j = 0; j < state.length; j++) {
      if (state[j] === EMPTY) continue;
      const i = this.#find(slots[j * 3]!, slots[j * 3 + 1]!);
      this.#slots.set(slots.subarray(j * 3, j * 3 + 3), i * 3);
      this.#state[i] = state[j]!;
    }
  }
}
