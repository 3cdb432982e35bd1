// Repeated per-request lines (a fallback used, a request sent to the fallback because the breaker
// is open, a retry), aggregated: per key (one route's message, upstream(s) and reason) at most one line per
// window (1 s). The first occurrence is written at once with `count: 1`; the ones after it within
// the window are folded into the next line, whose `count` is the number of occurrences it stands
// for (those folded since the previous line, itself included). So the counts of a key's lines add
// up to its occurrences, and a breaker open under load writes about one line a second, not one a
// request.
//
// The next line is written by the next occurrence once the window has passed, or, when none
// comes, by the sweep: a timer, armed only while something is folded. Time is the injected clock;
// the sweep's timer runs only on the system clock (with a test clock, the test calls sweep()).

import { systemClock, type Clock } from '../util/clock.js';
import type { Logger } from './logger.js';

export type AggregatedLevel = 'error' | 'warn' | 'info';

interface Slot {
  readonly level: AggregatedLevel;
  /** When the last line of this key was written (clock time). */
  writtenAt: number;
  /** Occurrences folded since that line. */
  folded: number;
  /** The last folded occurrence's fields: what the sweep writes. */
  last: Record<string, unknown> | null;
}

export interface AggregatorOptions {
  readonly clock?: Clock;
  /** Default 1000. */
  readonly windowMs?: number;
}

export class LogAggregator {
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #windowMs: number;
  /** A real timer writes what a quiet key folded (only on the system clock). */
  readonly #timed: boolean;
  readonly #slots = new Map<string, Slot>();
  #timer: NodeJS.Timeout | null = null;

  constructor(logger: Logger, opts: AggregatorOptions = {}) {
    this.#logger = logger;
    this.#clock = opts.clock ?? systemClock;
    this.#windowMs = opts.windowMs ?? 1000;
    this.#timed = this.#clock === systemClock;
  }

  /** One occurrence of `fields` (which carry `msg`), keyed by its message and `kind` (the caller's
   *  reason and the upstreams named, so a line never counts another upstream's occurrences). */
  note(level: AggregatedLevel, kind: string, fields: Record<string, unknown> & { readonly msg: string }): void {
    const key = `${fields.msg}\u0000${kind}`;
    const now = this.#clock.now();
    const slot = this.#slots.get(key);
    if (slot === undefined) {
      this.#slots.set(key, { level, writtenAt: now, folded: 0, last: null });
      this.#logger[level]({ ...fields, count: 1 });
      return;
    }
    if (now - slot.writtenAt >= this.#windowMs) {
      this.#write(slot, fields, slot.folded + 1, now);
      return;
    }
    slot.folded++;
    slot.last = fields;
    if (this.#timed && this.#timer === null) this.#arm(this.#windowMs - (now - slot.writtenAt));
  }

  /** Writes the folded count of each key whose window has passed; forgets keys quiet for a window. */
  sweep(): void {
    const now = this.#clock.now();
    for (const [key, slot] of this.#slots) {
      if (now - slot.writtenAt < this.#windowMs) continue;
      if (slot.folded === 0) this.#slots.delete(key);
      else this.#write(slot, slot.last!, slot.folded, now);
    }
  }

  #write(slot: Slot, fields: Record<string, unknown>, count: number, now: number): void {
    slot.writtenAt = now;
    slot.folded = 0;
    slot.last = null;
    this.#logger[slot.level]({ ...fields, count });
  }

  #arm(delayMs: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.sweep();
      let soonest = Infinity;
      const now = this.#clock.now();
      for (const slot of this.#slots.values()) {
        if (slot.folded > 0) soonest = Math.min(soonest, this.#windowMs - (now - slot.writtenAt));
      }
      if (soonest !== Infinity) this.#arm(soonest);
    }, Math.max(1, delayMs));
    this.#timer.unref();
  }
}
