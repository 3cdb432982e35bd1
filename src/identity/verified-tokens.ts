// Tokens a jwt authenticator has verified, so a client sending the same token again costs a map
// read instead of a signature check (Envoy's jwt_authn keeps such a cache too). Bounded in
// entries (the oldest dropped first); an entry is used only while the token is still within its
// exp/nbf (with the clock skew) and for at most `maxAgeMs` (the JWKS cache's life: a key removed
// from the set stops being honoured when a fresh set would have dropped it). Only acceptances are
// kept: a refused token is checked again every time.

import type { Clock } from '../util/clock.js';

export interface Verified {
  readonly headers: readonly (readonly [string, string])[];
  readonly claims: Readonly<Record<string, unknown>>;
}

interface Entry extends Verified {
  readonly notBefore: number;
  readonly notAfter: number;
}

export class VerifiedTokens {
  readonly #max: number;
  readonly #maxAgeMs: number;
  readonly #skewMs: number;
  readonly #clock: Clock;
  readonly #entries = new Map<string, Entry>();

  constructor(max: number, maxAgeMs: number, skewMs: number, clock: Clock) {
    this.#max = max;
    this.#maxAgeMs = maxAgeMs;
    this.#skewMs = skewMs;
    this.#clock = clock;
  }

  get(token: string): Verified | undefined {
    const e = this.#entries.get(token);
    if (e === undefined) return undefined;
    const now = this.#clock.now();
    if (now < e.notBefore || now >= e.notAfter) {
      this.#entries.delete(token);
      return undefined;
    }
    return e;
  }

  /** Keeps an accepted token; `claims.exp`/`nbf` (seconds) bound its use. */
  add(token: string, v: Verified): void {
    const now = this.#clock.now();
    const exp = v.claims['exp'];
    const nbf = v.claims['nbf'];
    const notAfter = Math.min(now + this.#maxAgeMs, typeof exp === 'number' ? exp * 1000 + this.#skewMs : Infinity);
    const notBefore = typeof nbf === 'number' ? nbf * 1000 - this.#skewMs : -Infinity;
    if (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(token, { ...v, notBefore, notAfter });
  }

  clear(): void {
    this.#entries.clear();
  }
}
