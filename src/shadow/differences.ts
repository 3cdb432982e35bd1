// The differences one comparison collects: what a difference is, and the bounded collector
// that sorts each into `differences` or `noise` (diff.ts explains the rules). Pure.

export type DifferenceKind = 'status' | 'header' | 'value' | 'type' | 'missing' | 'extra' | 'bytes';

export interface Difference {
  /** `status`, `headers.<name>`, `body`, a JSON path such as `$.items[3].price`, or an element
   *  path such as `html > body > h1#site-name #text` (html-paths.ts). */
  readonly path: string;
  readonly kind: DifferenceKind;
  /** The primary's value (undefined when missing on that side). */
  readonly primary: unknown;
  /** The shadow's value (undefined when missing on that side). */
  readonly shadow: unknown;
  /** `bytes` only: a short excerpt a person reads. */
  readonly detail?: string;
}

/**
 * The noise entry for a list whose elements come and go (the primary answered with more or fewer
 * elements the second time: a list that grew): `$.items[*] (added or removed)`, `ul > li (added
 * or removed)`. It covers an element missing or extra there, and nothing inside an element both
 * sides have; `$.items[*]` would cover every difference in every element (a renamed field too).
 */
export const ELEMENTS_COME_AND_GO = ' (added or removed)';

/** What noise lookup needs; a ReadonlySet<string> of normalised paths and a NoiseSet both fit. */
export interface NoiseLookup {
  has(path: string): boolean;
}

/** Collects differences up to `max`; one at a known noise path goes to `noise` (capped silently). */
export class DifferenceCollector {
  readonly differences: Difference[] = [];
  readonly noise: Difference[] = [];
  truncated = false;

  constructor(
    private readonly max: number,
    private readonly noiseLookup: NoiseLookup | undefined,
  ) {}

  /** Where the collector stands, to undo a walk that could not finish (restore). */
  mark(): { readonly d: number; readonly n: number; readonly t: boolean } {
    return { d: this.differences.length, n: this.noise.length, t: this.truncated };
  }

  /** Drops what was collected since the mark. */
  restore(m: { readonly d: number; readonly n: number; readonly t: boolean }): void {
    this.differences.length = m.d;
    this.noise.length = m.n;
    this.truncated = m.t;
  }

  /** True once the cap is hit and one more difference was seen: stop walking. */
  get stopped(): boolean {
    return this.truncated;
  }

  add(path: string, kind: DifferenceKind, primary: unknown, shadow: unknown, noiseKeys: readonly string[], detail?: string): void {
    const d: Difference = detail === undefined ? { path, kind, primary, shadow } : { path, kind, primary, shadow, detail };
    if (this.noiseLookup && noiseKeys.some((k) => this.noiseLookup!.has(k))) {
      if (this.noise.length < this.max) this.noise.push(d);
      return;
    }
    if (this.differences.length >= this.max) {
      this.truncated = true;
      return;
    }
    this.differences.push(d);
  }
}
