// A verified token's claims as request headers (a jwt authenticator's `claimsToHeaders`): what a
// claim may become, so a token can never smuggle a header line or a malformed value upstream.

/** Any control character a header value must not carry: CR, LF, NUL, the rest below 0x20 except
 *  tab, and DEL. */
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
const NON_ASCII = /[^\x00-\x7f]+/g;

/** The header value of one claim, or null when it is absent or cannot be one. Strings as they
 *  are, numbers and booleans as text, arrays of strings joined with ", "; other types skipped.
 *  Non-ASCII characters are percent-encoded as UTF-8, the way encodeURIComponent does (ASCII is
 *  kept as it is), since a header value is bytes the upstream would read as Latin-1. A value
 *  with a control character is skipped, never cleaned. */
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
    return text.replace(NON_ASCII, (s) => encodeURIComponent(s));
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
