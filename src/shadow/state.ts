// What the shadow path reads of a route, and what it keeps per route between requests.

import type { Target } from '../forward/attempt.js';
import type { WriteTally } from '../forward/pools.js';
import type { ShadowCompareConfig } from '../config/types.js';
import { compareOptionsFrom, type CompareOptions } from './diff.js';
import { HeaderPick } from './header-pick.js';
import { NoiseSet } from './noise.js';

/**
 * A route's effective `shadow` block, as far as the shadow path reads it (routing's
 * ResolvedShadow fits it; named here so src/shadow does not import the routing table).
 */
/** An upstream the shadow path sends to: its pool, plus its origin for the curl lines. */
export interface ShadowTarget extends Target {
  /** scheme://host[:port], e.g. `http://127.0.0.1:8001`. */
  readonly origin: string;
}

/** The route's own upstream, as the noise probe reads it: also the writes proxied to it (started,
 *  finished; forward/pools.ts WriteTally), so that a probe with a write between its two reads
 *  learns nothing. */
export interface PrimaryTarget extends ShadowTarget {
  readonly writes: Pick<WriteTally, 'quietMark' | 'quietSince'>;
}

export interface ShadowSettings {
  readonly upstream: ShadowTarget;
  /** 0..100 of the requests whose method is in `methods`. */
  readonly percent: number;
  readonly methods: readonly string[];
  readonly timeoutMs: number;
  readonly maxConcurrent: number;
  readonly compare: ShadowCompareConfig & { readonly noiseProbe: number };
}

/** Per route (lives in the route state): copies in flight, learned noise, compiled options. */
export class ShadowState {
  inFlight = 0;
  readonly noise = new NoiseSet();
  readonly options: CompareOptions;
  readonly headers: HeaderPick;
  constructor(shadow: { readonly compare?: ShadowCompareConfig }) {
    this.options = compareOptionsFrom(shadow.compare, { noisePaths: this.noise });
    this.headers = new HeaderPick(['content-type', 'content-encoding', ...this.options.headers]);
  }

  /** The options with the noise known now: what a comparison that takes several turns reads. */
  optionsNow(): CompareOptions {
    const o = this.options;
    return {
      headers: o.headers,
      ignore: o.ignore,
      ignoreSelectors: o.ignoreSelectors,
      ignoreText: o.ignoreText,
      unorderedArrays: o.unorderedArrays,
      numericTolerance: o.numericTolerance,
      noisePaths: this.noise.view(),
      maxDifferences: o.maxDifferences,
    };
  }
}
