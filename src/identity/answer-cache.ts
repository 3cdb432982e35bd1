// The forward authenticator's memory: answers kept per credential for a while (bounded, least
// recently used dropped first, expiry read from an injected clock), and the subrequests in
// flight, so that concurrent identical misses share one call to the auth upstream.

import type { Clock } from '../util/clock.js';

interface Entry<V> {
  readonly value: V;
  readonly expiresAt: number;
}

/** A bounded map of values that expire. A Map keeps insertion order: a hit is moved to the end,
 *  so the first key is always the least recently used. */
export class AnswerCache<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #max: number;
  readonly #clock: Clock;

  constructor(maxEntries: number, clock: Clock) {
    this.#max = Math.max(0, maxEntries);
    this.#clock = clock;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The value under `key` while it has not expired (and it becomes the most recently used). */
  get(key: string): V | undefined {
    const e = this.#entries.get(key);
    if (e === undefined) return undefined;
    this.#entries.delete(key);
    if (e.expiresAt <= this.#clock.now()) return undefined;
    this.#entries.set(key, e);
    return e.value;
  }

  /** Keeps `value` for `ttlMs` (nothing kept when ttlMs <= 0 or the bound is 0). */
  set(key: string, value: V, ttlMs: number): void {
    if (ttlMs <= 0 || this.#max === 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: this.#clock.now() + ttlMs });
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  clear(): void {
    this.#entries.clear();
  }
}

interface Flight<V> {
  readonly promise: Promise<V>;
  readonly controller: AbortController;
  waiters: number;
}

/** Single flight: the first caller for a key starts the work; callers arriving before it ends
 *  wait for the same result. Each caller still leaves when its own signal aborts (it gets
 *  `left()`); when the last one has left, the work's own signal aborts. */
export class Flights<V> {
  readonly #flights = new Map<string, Flight<V>>();

  get size(): number {
    return this.#flights.size;
  }

  /** `start` must never reject (a failure is a value). */
  run(key: string, start: (signal: AbortSignal) => Promise<V>, signal: AbortSignal, left: () => V): Promise<V> {
    if (signal.aborted) return Promise.resolve(left());
    let f = this.#flights.get(key);
    if (f === undefined) {
      const controller = new AbortController();
      const flight: Flight<V> = {
        controller,
        waiters: 0,
        promise: start(controller.signal).finally(() => {
          if (this.#flights.get(key) === flight) this.#flights.delete(key);
        }),
      };
      this.#flights.set(key, flight);
      f = flight;
    }
    const flight = f;
    flight.waiters++;
    return new Promise<V>((resolve) => {
      let done = false;
      const onAbort = (): void => {
        if (done) return;
        done = true;
        if (--flight.waiters === 0) {
          if (this.#flights.get(key) === flight) this.#flights.delete(key);
          flight.controller.abort();
        }
        resolve(left());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      void flight.promise.then((v) => {
        signal.removeEventListener('abort', onAbort);
        if (done) return;
        done = true;
        flight.waiters--;
        resolve(v);
      });
    });
  }
}
