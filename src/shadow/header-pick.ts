// The few response headers a comparison reads, picked out of undici's raw header buffers. Pure.

import { get, put } from './plain-object.js';

/**
 * Picks the few response headers a comparison reads (content type and encoding, and the route's
 * `compare.headers`) out of undici's raw header buffers, as a lower-cased object with repeats
 * joined. Names of another length are skipped without becoming strings.
 */
export class HeaderPick {
  readonly #names: ReadonlySet<string>;
  readonly #lengths = new Uint8Array(257);
  constructor(names: Iterable<string>) {
    const set = new Set<string>();
    for (const n of names) {
      const lower = n.toLowerCase();
      set.add(lower);
      this.#lengths[Math.min(lower.length, 256)] = 1;
    }
    this.#names = set;
  }

  pick(raw: readonly Buffer[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const nameBytes = raw[i]!;
      if (this.#lengths[Math.min(nameBytes.length, 256)] === 0) continue;
      const name = nameBytes.toString('latin1').toLowerCase();
      if (!this.#names.has(name)) continue;
      const value = raw[i + 1]!.toString('latin1');
      const before = get(out, name);
      put(out, name, before === undefined ? value : `${before}, ${value}`);
    }
    return out;
  }
}
