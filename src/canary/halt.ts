// The canary's automatic halt: the canary side's error rate (5xx, timeouts, connect errors, an
// open breaker, a fallback) over a sliding window. Once `minRequests` are in the window and the
// rate exceeds `maxErrorRate`, the route sends everything to its primary upstream and stays so
// until its config changes (this object lives in the route's state, which a changed route does
// not inherit). Ten buckets per window make it slide without per-request timestamps. A progressive
// canary's failed gate halts it through the same object (haltFrom), with or without `halt`.

import { rateAbove } from './rate-text.js';
import type { CanaryHaltConfig } from '../config/types.js';
import { systemClock, type Clock } from '../util/clock.js';

const SLOTS = 10;

export interface HaltState {
  readonly at: string;
  readonly reason: string;
}

export class CanaryHalt {
  readonly #cfg: CanaryHaltConfig | null;
  readonly #slotMs: number;
  #slotStart = 0;
  #slot = 0;
  readonly #requests = new Array<number>(SLOTS).fill(0);
  readonly #errors = new Array<number>(SLOTS).fill(0);
  #halted: HaltState | null = null;
  readonly #clock: Clock;
  /** Whether anything may halt it: a `halt` window, or a progressive canary's gates. */
  readonly #haltable: boolean;

  constructor(cfg: CanaryHaltConfig | null, clock: Clock = systemClock, progressive = false) {
    this.#cfg = cfg;
    this.#clock = clock;
    this.#haltable = cfg !== null || progressive;
    this.#slotMs = cfg === null ? 1 : Math.max(1, cfg.windowMs / SLOTS);
  }

  get halted(): HaltState | null {
    return this.#halted;
  }

  #advance(now: number): void {
    if (this.#slotStart === 0) this.#slotStart = now;
    let steps = Math.floor((now - this.#slotStart) / this.#slotMs);
    if (steps <= 0) return;
    this.#slotStart += steps * this.#slotMs;
    if (steps > SLOTS) steps = SLOTS;
    while (steps-- > 0) {
      this.#slot = (this.#slot + 1) % SLOTS;
      this.#requests[this.#slot] = 0;
      this.#errors[this.#slot] = 0;
    }
  }

  window(now = this.#clock.now()): { requests: number; errors: number } {
    this.#advance(now);
    let requests = 0;
    let errors = 0;
    for (let i = 0; i < SLOTS; i++) {
      requests += this.#requests[i]!;
      errors += this.#errors[i]!;
    }
    return { requests, errors };
  }

  /** Halts from outside (another worker's halt of the same route): the same reason, no window.
   *  Also a progressive canary's failed gate. Returns whether this call halted it (false: no halt
   *  config nor steps, or already halted). */
  haltFrom(state: HaltState): boolean {
    if (!this.#haltable || this.#halted !== null) return false;
    this.#halted = { at: state.at, reason: state.reason };
    return true;
  }

  /** Records one canary request; returns the halt when this one triggered it. */
  record(failed: boolean, now = this.#clock.now()): HaltState | null {
    const cfg = this.#cfg;
    if (cfg === null || this.#halted !== null) return null;
    this.#advance(now);
    this.#requests[this.#slot]!++;
    if (failed) this.#errors[this.#slot]!++;
    const { requests, errors } = this.window(now);
    if (requests < cfg.minRequests || errors / requests <= cfg.maxErrorRate) return null;
    this.#halted = {
      at: new Date(now).toISOString(),
      reason: `error rate ${rateAbove(errors / requests, cfg.maxErrorRate)} over ${requests} requests in ${cfg.windowMs} ms exceeds maxErrorRate ${cfg.maxErrorRate}`,
    };
    return this.#halted;
  }
}
