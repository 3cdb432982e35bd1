// The differ's options per route (its `shadow.compare`, compiled once per route) with the noise
// learned for one endpoint.

import { compareOptionsFrom, type CompareOptions } from '../shadow/diff.js';
import type { NoiseSet } from '../shadow/noise.js';
import type { RouteRules } from './routes.js';

export class OptionsByRoute {
  readonly #byLabel = new Map<string, CompareOptions>();

  of(rules: RouteRules, noise?: NoiseSet): CompareOptions {
    let base = this.#byLabel.get(rules.label);
    if (base === undefined) {
      base = compareOptionsFrom(rules.compare);
      this.#byLabel.set(rules.label, base);
    }
    return noise === undefined || noise.size === 0 ? base : { ...base, noisePaths: noise };
  }
}

/** The key of an endpoint: its route's label and its template. */
export function endpointKey(label: string, template: string): string {
  return `${label}\n${template}`;
}
