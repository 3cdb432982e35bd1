// Noise: where the primary disagrees with itself. With `compare.noiseProbe`, some safe requests
// are sent to the primary twice; whatever differs between those two answers (a timestamp, a
// request id, an ETag) is not the new service's fault, so later comparisons report it as noise
// rather than as a mismatch. Pure: the caller feeds the two answers.
//
// What is learned: the differing JSON paths, index-normalised (`$.items[3].ts` ->
// `$.items[*].ts`), and differing compared headers (`headers.etag`). Never `status` (a primary
// flapping between 200 and 500 is an outage, not noise) and never `body` (a non-JSON body that
// varies would make every byte comparison noise).
//
// NoiseSet: per route, at most `limit` paths (default 200). Once full, new paths are dropped
// and counted (`dropped`): what was learned first stays, so the set does not churn. `has(path)`
// is true when the path's normalised form, or that of one of its ancestors, is in the set
// (noise at `$.meta` covers `$.meta.requestId`). `view()` is the set as it stands: a comparison
// that takes several turns reads the noise known when it began, whatever is learned meanwhile.
// An array element, or an HTML element, present in one answer only (the list grew between the
// two) is learned as `$.items[*] (added or removed)` / `ul > li (added or removed)` (differences.ts
// ELEMENTS_COME_AND_GO): elements may come and go there, but what differs inside an element both
// sides have is still a difference.

import { compareSteps, type Captured, type CompareOptions, type NoiseLookup } from './diff.js';
import { ELEMENTS_COME_AND_GO } from './differences.js';
import { normalizePath, selfAndAncestors } from './json-path.js';
import { runWhole, WHOLE, type Slicing } from './slicing.js';

export const DEFAULT_NOISE_LIMIT = 200;

/** The normalised paths where two answers of the primary to the same request differ, in order. */
export function learnNoise(a: Captured, b: Captured, opts: Omit<CompareOptions, 'noisePaths'>): string[] {
  return runWhole(learnNoiseSteps(a, b, opts, WHOLE));
}

/** learnNoise in steps (compareSteps'). */
export function* learnNoiseSteps(a: Captured, b: Captured, opts: Omit<CompareOptions, 'noisePaths'>, slicing?: Slicing): Generator<void, string[]> {
  const { noisePaths: _ignored, ...rest } = opts as CompareOptions;
  const cmp = yield* compareSteps(a, b, rest, slicing);
  const out = new Set<string>();
  for (const d of cmp.differences) {
    if (d.kind === 'status' || d.kind === 'bytes') continue;
    const path = normalizePath(d.path);
    out.add((d.kind === 'missing' || d.kind === 'extra') && isElement(path) ? path + ELEMENTS_COME_AND_GO : path);
  }
  return [...out];
}

/** A normalised path that names an element of a list: a JSON array's (`$.items[*]`), or an HTML
 *  element (no ` @attribute` or ` #text` after it; `:nth-of-type` is gone, so `ul > li` is every
 *  item). Its presence differing says elements come and go there, not that their insides vary. */
function isElement(path: string): boolean {
  return path.startsWith('$') ? path.endsWith('[*]') : !path.startsWith('headers.') && !/ (@[^\s"\]]+|#text)$/.test(path);
}

/** A noise path as the set keeps it: normalised, an elements-come-and-go entry's suffix kept. */
function noiseKey(raw: string): string {
  return raw.endsWith(ELEMENTS_COME_AND_GO) ? normalizePath(raw.slice(0, -ELEMENTS_COME_AND_GO.length)) + ELEMENTS_COME_AND_GO : normalizePath(raw);
}

export class NoiseSet {
  /** Each path with how many were learned before it. */
  private readonly paths = new Map<string, number>();
  private droppedCount = 0;

  constructor(readonly limit: number = DEFAULT_NOISE_LIMIT) {}

  /** Adds paths (normalised here); returns the ones that were new and fit. */
  add(paths: Iterable<string>): string[] {
    const added: string[] = [];
    for (const raw of paths) {
      const p = noiseKey(raw);
      if (this.paths.has(p)) continue;
      if (this.paths.size >= this.limit) {
        this.droppedCount++;
        continue;
      }
      this.paths.set(p, this.paths.size);
      added.push(p);
    }
    return added;
  }

  has(path: string): boolean {
    return this.#hasAmongFirst(path, this.paths.size);
  }

  /** The set as it stands now: later additions are not in it. */
  view(): NoiseLookup {
    const n = this.paths.size;
    return { has: (path) => this.#hasAmongFirst(path, n) };
  }

  #hasAmongFirst(path: string, n: number): boolean {
    if (n === 0) return false;
    // (An elements-come-and-go entry is asked for as itself: it has no ancestors to cover it.)
    if (path.endsWith(ELEMENTS_COME_AND_GO)) return (this.paths.get(noiseKey(path)) ?? n) < n;
    return selfAndAncestors(normalizePath(path)).some((p) => (this.paths.get(p) ?? n) < n);
  }

  get size(): number {
    return this.paths.size;
  }

  /** New paths refused because the set was full. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** The learned paths, in the order they were learned. */
  toArray(): string[] {
    return [...this.paths.keys()];
  }
}
