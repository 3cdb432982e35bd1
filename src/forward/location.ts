// `preserveHost: false` (pure): the upstream saw its own host, so the absolute URLs it answers
// with (a redirect's Location, a Content-Location) point at its internal origin. Those whose
// origin is the answering upstream's own are rewritten to the client-facing origin, as nginx's
// `proxy_redirect default` does: the scheme the proxy sends upstream as X-Forwarded-Proto, the
// host the client sent as Host. Any other value (relative, another origin) is left as it is.
//
// Built once per route at compile time (routing/compile.ts), only for routes with preserveHost
// false; every other route has null and pays nothing.

/** Rewrites, in place, the Location and Content-Location values of `headers` ([name, value, ...])
 *  whose origin is `upstreamOrigin` (like `http://127.0.0.1:8100`) to `publicOrigin` (the
 *  client-facing origin, publicOriginOf). */
export type LocationRewriter = (headers: string[], upstreamOrigin: string, publicOrigin: string | null) => void;

/** The rewriter of a route with preserveHost false. */
export function locationRewriter(): LocationRewriter {
  return (headers, upstreamOrigin, publicOrigin) => {
    if (publicOrigin === null) return;
    for (let i = 0; i < headers.length; i += 2) {
      const lower = headers[i]!.toLowerCase();
      if (lower !== 'location' && lower !== 'content-location') continue;
      const value = headers[i + 1]!;
      const end = authorityEnd(value);
      if (end === -1) continue;
      const origin = value.slice(0, end);
      if (sameOrigin(origin, upstreamOrigin) || httpsOfItsOwn(origin, upstreamOrigin, publicOrigin)) headers[i + 1] = publicOrigin + value.slice(end);
    }
  };
}

/** Where the origin of an absolute http(s) or scheme-relative (`//host/x`) URL ends: the first
 *  '/', '?', '#' or '\\' (which WHATWG URLs read as '/') after `//`; -1 for any other value. */
function authorityEnd(value: string): number {
  let i: number;
  if (value.startsWith('//')) i = 2;
  else {
    const scheme = /^https?:\/\//i.exec(value);
    if (scheme === null) return -1;
    i = scheme[0].length;
  }
  while (i < value.length && value[i] !== '/' && value[i] !== '?' && value[i] !== '#' && value[i] !== '\\') i++;
  return i;
}

/** An app told the request came over https (X-Forwarded-Proto: Django's SECURE_PROXY_SSL_HEADER)
 *  builds its absolute URLs as https:// with the Host it saw, the upstream's own: the upstream's
 *  authority under https, rewritten when the client did come over https. */
function httpsOfItsOwn(origin: string, upstreamOrigin: string, publicOrigin: string): boolean {
  return publicOrigin.startsWith('https:') && /^https:\/\//i.test(origin) && origin.slice(8).toLowerCase() === upstreamOrigin.slice(upstreamOrigin.indexOf('://') + 3).toLowerCase();
}

function sameOrigin(origin: string, upstreamOrigin: string): boolean {
  try {
    // A scheme-relative URL takes the scheme of the request it answered: the upstream's.
    const url = origin.startsWith('//') ? upstreamOrigin.slice(0, upstreamOrigin.indexOf(':') + 1) + origin : origin;
    return new URL(url).origin === upstreamOrigin; // scheme and host case, default ports
  } catch {
    return false;
  }
}

/** `proto://host` as the client addressed the proxy: the X-Forwarded-Proto the proxy sent upstream
 *  (`sentProto`: a trusted side's value, else https over TLS, else http) and the client's Host; null without a Host. */
export function publicOriginOf(sentProto: string, host: string | null): string | null {
  if (host === null || host === '') return null;
  return `${sentProto.trim().toLowerCase() === 'https' ? 'https' : 'http'}://${host}`;
}
