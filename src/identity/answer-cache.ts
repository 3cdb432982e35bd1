// The forward authenticator's memory: answers kept per credential for a while (bounded in entries
// and in bytes, least recently used dropped first, expiry read from an injected clock), and the
// subrequests in flight, so that concurrent identical misses share one call to the auth upstream.
//
// The byte budget: maxCacheEntries alone would let 10,000 answers of 64 KiB (the largest body
// read) hold 650 MB. Each entry is counted as its key's length plus `sizeOf(value)` (the
// forward authenticator counts bodies and header text); past MAX_CACHE_BYTES in all, the least
// recently used entries are dropped until the total is under it, and a single entry larger than
// the whole budget is not kept.

import type { Clock } from '../util/clock.js';

/** The default byte budget of one cache: 16 MiB of keys and values. */
export const MAX_CACHE_BYTES = 16 * 1024 * 1024;

interface Entry<V> {
  readonly value: V;
  readonly expiresAt: number;
  readonly bytes: number;
}

/** A bounded map of values that expire. A Map keeps insertion order: a hit is moved to the end,
 *  so the first key is always the least recently used. */
export class AnswerCache<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #max: number;
  readonly #clock: Clock;
  readonly #maxBytes: number;
  readonly #sizeOf: (value: V) => number;
  #bytes = 0;

  constructor(maxEntries: number, clock: Clock, maxBytes = MAX_CACHE_BYTES, sizeOf: (value: V) => number = () => 0) {
    this.#max = Math.max(0, maxEntries);
    this.#clock = clock;
    this.#maxBytes = maxBytes;
    this.#sizeOf = sizeOf;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The bytes counted for the entries kept (keys and values). */
  get bytes(): number {
    return this.#bytes;
  }

  /** The value under `key` while it has not expired (and it becomes the most recently used). */
  get(key: string): V | undefined {
    const e = this.#entries.get(key);
    if (e === undefined) return undefined;
    this.#entries.delete(key);
    if (e.expiresAt <= this.#clock.now()) {
      this.#bytes -= e.bytes;
      return undefined;
    }
    this.#entries.set(key, e);
    return e.value;
  }

  /** Keeps `value` for `ttlMs` (nothing kept when ttlMs <= 0 or the bound is 0). */
  set(key: string, value: V, ttlMs: number): void {
    this.#delete(key);
    if (ttlMs <= 0 || this.#max === 0) return;
    const bytes = key.length + this.#sizeOf(value);
    if (bytes > this.#maxBytes) return;
    this.#entries.set(key, { value, expiresAt: this.#clock.now() + ttlMs, bytes });
    this.#bytes += bytes;
    while (this.#entries.size > this.#max || this.#bytes > this.#maxBytes) {
      this.#delete(this.#entries.keys().next().value as string);
    }
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  #delete(key: string): void {
    const e = this.#entries.get(key);
    if (e === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= e.bytes;
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

  /** Callers waiting on a flight, all keys together (what a test can wait for). */
  get waiting(): number {
    let n = 0;
    for (const f of this.#flights.values()) n += f.waiters;
    return n;
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
