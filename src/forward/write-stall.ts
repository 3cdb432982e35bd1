// A response the client stopped reading: its write returned false, and the relay waits for
// 'drain'. Bounded by idleTimeoutMs from the refused write, exactly: the socket's own timer (which
// also bounds it) lets one more period pass when the bytes queued have changed since its last
// write (Node counts that as progress), so alone it closed such a client after up to twice the
// bound. A write over the stream's high-water mark is refused even to a fast client, so this
// costs one timer per exchange at most, made at its first refused write and refreshed at each
// next one (no timer, object or closure for an exchange whose writes all go through). Over
// HTTP/2 a refused write also keeps the session reading, so that a client gone is seen (h2-hangup.ts).

import type { ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import { readOnWhileHeldUp } from './h2-hangup.js';

/** What is told when the client did not drain within the bound. */
export interface Stalled {
  idle(): void;
}

function onStall(s: WriteStall): void {
  s.fire();
}

export class WriteStall {
  readonly #res: Writable & { readonly socket?: unknown };
  readonly #ms: number;
  readonly #stalled: Stalled;
  #timer: NodeJS.Timeout | null = null;
  #waiting = false;
  #resume: (() => void) | null = null;
  readonly #drained = (): void => {
    this.#waiting = false;
    const resume = this.#resume;
    this.#resume = null;
    resume?.();
  };

  /** `ms`: idleTimeoutMs (0: no bound). */
  constructor(res: Writable, ms: number, stalled: Stalled) {
    this.#res = res;
    this.#ms = ms;
    this.#stalled = stalled;
  }

  /** The write was refused: `resume` on the next 'drain'; `stalled.idle()` if none comes within the bound. */
  wait(resume: () => void): void {
    this.#resume = resume;
    this.#waiting = true;
    this.#res.once('drain', this.#drained);
    readOnWhileHeldUp(this.#res as unknown as ServerResponse); // (HTTP/2: a client gone meanwhile is seen, h2-hangup.ts)
    // A pipelined HTTP/1.1 response still queued behind another has no socket yet: its wait is the
    // one ahead of it (bounded by that one's own), not its client's silence.
    if (this.#ms <= 0 || this.#res.socket == null) return;
    if (this.#timer === null) {
      this.#timer = setTimeout(onStall, this.#ms, this);
      this.#timer.unref();
    } else {
      this.#timer.refresh();
    }
  }

  fire(): void {
    if (this.#waiting) this.#stalled.idle();
  }

  /** The exchange ended. */
  stop(): void {
    this.#waiting = false;
    if (this.#timer !== null) clearTimeout(this.#timer);
  }
}
