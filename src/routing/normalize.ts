// Request-target normalisation (pure). The path that is matched is the path that is forwarded.
//
// - origin form (`/p?q`) and absolute form (`http://h/p?q`, routed by its path alone)
// - percent-decoding of unreserved characters only (RFC 3986 2.3); other escapes are kept as sent
// - dot-segment removal (RFC 3986 5.2.4); climbing above the root is refused, and so is a dot
//   segment with parameters (`..;x`), which servlet containers resolve as `..`
// - refused: userinfo in an absolute-form target, fragments, raw backslashes, NUL and control
//   bytes (raw or encoded), malformed escapes, encoded `/` and `\` (unless escapedSlashes: keep),
//   and double-encoded separators, NUL or dot segments (`%252F`, `%2500`, `%252e%252e`), which an
//   upstream that decodes twice would misread.

export type Normalized =
  | { readonly ok: true; readonly path: string; readonly search: string }
  | { readonly ok: false; readonly reason: string };

const SLASH = 0x2f;
const PERCENT = 0x25;
const DOT = 0x2e;
const QUESTION = 0x3f;
const HASH = 0x23;
const BACKSLASH = 0x5c;

function bad(reason: string): Normalized {
  return { ok: false, reason };
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

function isUnreserved(b: number): boolean {
  return (
    (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) ||
    b === 0x2d || b === 0x2e || b === 0x5f || b === 0x7e
  );
}

const ABSOLUTE_FORM = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/;

export function normalizeTarget(target: string, keepEscapedSlashes: boolean): Normalized {
  let start = 0;
  if (target.charCodeAt(0) !== SLASH) {
    const m = ABSOLUTE_FORM.exec(target);
    if (m === null) return bad('the request target must be a path starting with /');
    // RFC 9110 4.2.4: userinfo is deprecated in http(s) URIs and never meant for the origin.
    if (m[0].indexOf('@') !== -1) return bad('a request target must not carry user information (user:password@)');
    start = m[0].length;
    if (start === target.length || target.charCodeAt(start) === QUESTION) {
      // `http://h` and `http://h?q` mean the root path.
      target = '/' + target.slice(start);
      start = 0;
    }
  }

  let end = target.length;
  let simple = true;
  for (let i = start; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c === QUESTION) {
      end = i;
      break;
    }
    if (c === HASH) return bad('a request target must not carry a fragment (#)');
    if (c === BACKSLASH) return bad('a backslash is not allowed in the path');
    if (c < 0x21 || c === 0x7f) return bad('a NUL or control byte is not allowed in the path');
    if (c === PERCENT || (c === DOT && target.charCodeAt(i - 1) === SLASH)) simple = false;
  }
  const search = end < target.length ? target.slice(end) : '';
  if (search.indexOf('#') !== -1) return bad('a request target must not carry a fragment (#)');

  if (simple) {
    return { ok: true, path: start === 0 && end === target.length ? target : target.slice(start, end), search };
  }
  return normalizeSegments(target.slice(start, end), search, keepEscapedSlashes);
}

function normalizeSegments(rawPath: string, search: string, keepEscapedSlashes: boolean): Normalized {
  const raw = rawPath.split('/'); // raw[0] === '' since the path starts with '/'
  const out: string[] = [];
  for (let s = 1; s < raw.length; s++) {
    const decoded = decodeSegment(raw[s]!, keepEscapedSlashes);
    if (typeof decoded !== 'string') return decoded;
    const first = decoded.charCodeAt(0);
    if ((first === DOT || first === PERCENT) && isDotSegmentWithParams(decoded)) {
      return bad('a dot segment with parameters (..;x) is not allowed in the path');
    }
    const last = s === raw.length - 1;
    if (decoded === '.') {
      if (last) out.push('');
      continue;
    }
    if (decoded === '..') {
      if (out.length === 0) return bad('a dot segment climbs above the root');
      out.pop();
      if (last) out.push('');
      continue;
    }
    out.push(decoded);
  }
  return { ok: true, path: '/' + out.join('/'), search };
}

/** Decodes unreserved escapes in one segment; returns the segment or a refusal. */
function decodeSegment(seg: string, keepEscapedSlashes: boolean): string | Normalized {
  if (seg.indexOf('%') === -1) return seg;
  let out = '';
  let from = 0;
  for (let i = 0; i < seg.length; i++) {
    if (seg.charCodeAt(i) !== PERCENT) continue;
    const hi = hexValue(seg.charCodeAt(i + 1));
    const lo = hexValue(seg.charCodeAt(i + 2));
    if (hi < 0 || lo < 0) return bad('a malformed percent-escape in the path');
    const b = hi * 16 + lo;
    if (b === SLASH || b === BACKSLASH) {
      if (!keepEscapedSlashes) return bad('an encoded slash or backslash (%2F, %5C) is not allowed in the path');
    } else if (b < 0x20 || b === 0x7f) {
      return bad('an encoded NUL or control byte is not allowed in the path');
    } else if (isUnreserved(b)) {
      out += seg.slice(from, i) + String.fromCharCode(b);
      from = i + 3;
    }
    i += 2;
  }
  out += seg.slice(from);
  // Double encoding is judged on the decoded segment: decoding escaped hex digits must not
  // assemble a `%252F` or `%252e` that the raw text did not show (`%25%32%46`).
  if (out.indexOf('%25') === -1) return out;
  for (let i = out.indexOf('%25'); i !== -1; i = out.indexOf('%25', i + 3)) {
    if (isDoubleEncodedHazard(out, i + 3)) return bad('a double-encoded separator, NUL or dot is not allowed in the path');
  }
  // A segment that becomes a dot segment only after a second decoding (`%252e%252e`).
  if (out.length <= 12) {
    const twice = out.replace(/%25(2e|2E)/g, '.');
    if (twice === '.' || twice === '..') return bad('a double-encoded dot segment is not allowed in the path');
  }
  return out;
}

/** Whether `seg` at `at` starts with the lower-case ASCII `lower`, case-insensitively. */
function startsWithAt(seg: string, at: number, lower: string): boolean {
  if (seg.length - at < lower.length) return false;
  for (let k = 0; k < lower.length; k++) {
    if ((seg.charCodeAt(at + k) | 0x20) !== lower.charCodeAt(k)) return false; // no control bytes by now
  }
  return true;
}

/**
 * `.` or `..` followed by path parameters (`..;x`, `.;`, `..%3b`, double-encoded `%252e%252e;`):
 * servlet containers drop the parameters and then resolve the dot segment, so `/public/..;/admin`
 * reaches `/admin` behind a proxy that saw a segment named `..;`. `seg` is decoded once.
 */
function isDotSegmentWithParams(seg: string): boolean {
  let i = 0;
  let dots = 0;
  for (;;) {
    if (seg.charCodeAt(i) === DOT) i += 1;
    else if (startsWithAt(seg, i, '%252e')) i += 5;
    else break;
    if (++dots > 2) return false;
  }
  if (dots === 0) return false;
  return seg.charCodeAt(i) === 0x3b || startsWithAt(seg, i, '%3b') || startsWithAt(seg, i, '%253b');
}

/** `%25` followed by the hex of `/`, `\`, NUL or a control byte. */
function isDoubleEncodedHazard(seg: string, at: number): boolean {
  const hi = hexValue(seg.charCodeAt(at));
  const lo = hexValue(seg.charCodeAt(at + 1));
  if (hi < 0 || lo < 0) return false;
  const b = hi * 16 + lo;
  return b === SLASH || b === BACKSLASH || b < 0x20 || b === 0x7f;
}
