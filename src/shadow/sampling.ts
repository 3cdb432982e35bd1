// Which requests take the shadow path, and which of those also probe the primary for noise.
// The random source is injected (default Math.random), so a test proves the split exactly.

import type { Random } from '../util/clock.js';

/** Whether this request is mirrored: its method is listed, and it falls in the route's percent. */
export function sampled(shadow: { readonly percent: number; readonly methods: readonly string[] }, method: string, random: Random): boolean {
  return shadow.methods.includes(method) && (shadow.percent >= 100 || random() * 100 < shadow.percent);
}

/**
 * Whether a mirrored request is also sent to the primary a second time (`compare.noiseProbe`
 * percent of the safe ones, GET and HEAD): what differs between two answers of the primary is noise.
 */
export function probesNoise(noiseProbe: number, method: string, random: Random): boolean {
  return noiseProbe > 0 && (method === 'GET' || method === 'HEAD') && random() * 100 < noiseProbe;
}
