// A verified token's claims as request headers (a jwt authenticator's `claimsToHeaders`): what a
// claim may become, so a token can never smuggle a header line or a malformed value upstream.

/** Any control character a header value must not carry: CR, LF, NUL, the rest below 0x20 except
 *  tab, and DEL. */
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
/** A value that is percent-encoded whole: one with a non-ASCII character or a '%'. */
const NEEDS_ENCODING = /[^\x00-\x7f]|%/;

/** The header value of one claim, or null when it is absent or cannot be one. Strings as they
 *  are, numbers and booleans as text, arrays of strings joined with ", "; other types skipped.
 *  A value with a non-ASCII character (a header value is bytes the upstream would read as
 *  Latin-1) or a '%' is percent-encoded whole with encodeURIComponent (UTF-8; '%' becomes %25),
 *  so an encoded value always holds a '%' and a value sent as it is never does: `é` and the
 *  literal text `%C3%A9` can never become the same header value. Other values are kept as they
 *  are. A value with a control character is skipped, never cleaned. */
export function claimHeaderValue(claim: unknown): string | null {
  let text: string;
  if (typeof claim === 'string') text = claim;
  else if (typeof claim === 'number') {
    if (!Number.isFinite(claim)) return null;
    text = String(claim);
  } else if (typeof claim === 'boolean') text = String(claim);
  else if (Array.isArray(claim) && claim.every((c): c is string => typeof c === 'string')) text = claim.join(', ');
  else return null;
  if (CONTROL.test(text)) return null;
  try {
    return NEEDS_ENCODING.test(text) ? encodeURIComponent(text) : text;
  } catch {
    return null; // a lone surrogate: not text
  }
}

/** The [header, value] pairs for the claims present that can be header values. */
export function claimHeaders(claims: Readonly<Record<string, unknown>>, pairs: readonly (readonly [string, string])[]): [string, string][] {
  const out: [string, string][] = [];
  for (const [claim, header] of pairs) {
    if (!Object.hasOwn(claims, claim)) continue;
    const value = claimHeaderValue(claims[claim]);
    if (value !== null) out.push([header, value]);
  }
  return out;
}
