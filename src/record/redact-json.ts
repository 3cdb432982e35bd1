// `redactJson`: the values at the given JSON paths (the shadow compare's syntax, patterns.ts)
// replaced by "<redacted>", in a parsed JSON value. Pure.

import type { PathMatcher, PathSegment } from '../shadow/patterns.js';

export const REDACTED_VALUE = '<redacted>';

/** A copy of `value` with every value whose path `paths` matches replaced by "<redacted>". */
export function redactJsonValue(value: unknown, paths: PathMatcher): unknown {
  return walk(value, [], paths);
}

function walk(value: unknown, segs: PathSegment[], paths: PathMatcher): unknown {
  if (segs.length > 0 && paths.matches(segs)) return REDACTED_VALUE;
  if (Array.isArray(value)) {
    return value.map((v, i) => {
      segs.push(i);
      const out = walk(v, segs, paths);
      segs.pop();
      return out;
    });
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      segs.push(k);
      out[k] = walk(v, segs, paths);
      segs.pop();
    }
    return out;
  }
  return value;
}
