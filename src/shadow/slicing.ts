// How finely a comparison is cut into steps, so that a big HTML answer never holds the event
// loop for long: the parse feeds `chars` characters of text at a time, and the walks (the
// ignore selectors, the diff) go `nodes` elements at a time; the comparison is a generator
// that yields between two steps (turns.ts runs one step per turn of the event loop). Pure.

export interface Slicing {
  /** Characters of HTML text parsed per step. */
  readonly chars: number;
  /** Elements visited per step by each walk over the documents. */
  readonly nodes: number;
}

/** Measured on a 1 MB page: a 16 KiB slice parses in about 1-2 ms, 1,000 elements walk in about 2 ms. */
export const HTML_SLICES: Slicing = { chars: 16 * 1024, nodes: 1_000 };

/** No yield at all: the comparison in one go (the synchronous compareResponses). */
export const WHOLE: Slicing = { chars: Infinity, nodes: Infinity };

/** Counts the elements a walk visited; `tick()` is true once every `nodes` of them (yield then). */
export class NodeCount {
  #left: number;
  constructor(private readonly nodes: number) {
    this.#left = nodes;
  }
  tick(): boolean {
    if (--this.#left > 0) return false;
    this.#left = this.nodes;
    return true;
  }
}

/** Runs steps to their end without yielding to anything: the result, synchronously. */
export function runWhole<T>(steps: Iterator<void, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}
