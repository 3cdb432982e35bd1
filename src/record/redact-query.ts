// A recorded path: origin-form (an absolute-form target without its scheme and authority), and
// `redactQuery`: the values of the named query parameters (case-insensitive, percent-decoded
// names) replaced by "<redacted>"; the path and the other parameters are kept byte for byte. Pure.

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

/** `path` without the query parameters redactQuery redacted: a replay leaves them out, as it
 *  leaves out redacted header fields (sent as recorded, `<redacted>` would be an invalid request
 *  target and a wrong value anyway). */
export function withoutRedactedQuery(path: string): string {
  const q = path.indexOf('?');
  if (q < 0 || !path.includes(REDACTED_VALUE, q)) return path;
  const kept = path.slice(q + 1).split('&').filter((p) => {
    const eq = p.indexOf('=');
    return eq < 0 || p.slice(eq + 1) !== REDACTED_VALUE;
  });
  return kept.length === 0 ? path.slice(0, q) : path.slice(0, q + 1) + kept.join('&');
}

const ABSOLUTE = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;

/** A request target as origin-form: an absolute-form one (`http://host/a?b`, which a proxy
 *  accepts) without its scheme and authority (`/a?b`), so that it can be replayed. */
export function originForm(target: string): string {
  if (target.startsWith('/')) return target;
  const m = ABSOLUTE.exec(target);
  if (m === null) return target;
  const rest = target.slice(m[0].length);
  return rest.startsWith('/') ? rest : '/' + rest;
}

function nameOf(raw: string): string {
  const plus = raw.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus).toLowerCase();
  } catch {
    return plus.toLowerCase();
  }
}
