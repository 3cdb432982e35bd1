// `redactQuery`: the values of the named query parameters (case-insensitive, percent-decoded
// names) replaced by "<redacted>" in a recorded path; the path and the other parameters are
// kept byte for byte. Pure.

import { REDACTED_VALUE } from './redact-json.js';

/** `path` (origin-form, with its query) with the values of `names` (lower case) redacted. */
export function redactQuery(path: string, names: ReadonlySet<string>): string {
  const q = path.indexOf('?');
  if (q < 0 || names.size === 0) return path;
  const params = path.slice(q + 1).split('&');
  let changed = false;
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    const eq = p.indexOf('=');
    if (eq < 0 || !names.has(nameOf(p.slice(0, eq)))) continue;
    params[i] = p.slice(0, eq + 1) + REDACTED_VALUE;
    changed = true;
  }
  return changed ? path.slice(0, q + 1) + params.join('&') : path;
}

function nameOf(raw: string): string {
  const plus = raw.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus).toLowerCase();
  } catch {
    return plus.toLowerCase();
  }
}
