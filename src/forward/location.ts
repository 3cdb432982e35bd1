// `preserveHost: false` (pure): the upstream saw its own host, so the absolute URLs it answers
// with (a redirect's Location, a Content-Location) point at its internal origin. Those whose
// origin is the answering upstream's own are rewritten to the client-facing origin, as nginx's
// `proxy_redirect default` does: the scheme the proxy sends upstream as X-Forwarded-Proto, the
// host the client sent as Host. Any other value (relative, another origin) is left as it is.
//
// Built once per route at compile time (routing/compile.ts), only for routes with preserveHost
// false; every other route has null and pays nothing.

/** Rewrites, in place, the Location and Content-Location values of `headers` ([name, value, ...])
 *  whose origin is `upstreamOrigin` (like `http://127.0.0.1:8100`). `clientRaw`: the client's raw
 *  request headers. */
export type LocationRewriter = (headers: string[], upstreamOrigin: string, clientRaw: readonly string[]) => void;

/** The rewriter of a route with preserveHost false (`trustedProxies` as the proxy applies it). */
export function locationRewriter(trustedProxies: number): LocationRewriter {
  return (headers, upstreamOrigin, clientRaw) => {
    let client: string | null | undefined; // computed once, on the first value to rewrite
    for (let i = 0; i < headers.length; i += 2) {
      const lower = headers[i]!.toLowerCase();
      if (lower !== 'location' && lower !== 'content-location') continue;
      const value = headers[i + 1]!;
      const end = authorityEnd(value);
      if (end === -1 || !sameOrigin(value.slice(0, end), upstreamOrigin)) continue;
      client ??= clientOrigin(clientRaw, trustedProxies);
      if (client !== null) headers[i + 1] = client + value.slice(end);
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

function sameOrigin(origin: string, upstreamOrigin: string): boolean {
  try {
    // A scheme-relative URL takes the scheme of the request it answered: the upstream's.
    const url = origin.startsWith('//') ? upstreamOrigin.slice(0, upstreamOrigin.indexOf(':') + 1) + origin : origin;
    return new URL(url).origin === upstreamOrigin; // scheme and host case, default ports
  } catch {
    return false;
  }
}

/** `proto://host` as the client addressed the proxy; null without a Host header. */
export function clientOrigin(clientRaw: readonly string[], trustedProxies: number): string | null {
  let host: string | null = null;
  let proto: string | null = null;
  for (let i = 0; i < clientRaw.length; i += 2) {
    const lower = clientRaw[i]!.toLowerCase();
    if (lower === 'host' && host === null) host = clientRaw[i + 1]!;
    else if (lower === 'x-forwarded-proto' && proto === null) proto = clientRaw[i + 1]!;
  }
  if (host === null || host === '') return null;
  // What forward/headers.ts sends upstream as X-Forwarded-Proto: the trusted side's, else http.
  const sent = trustedProxies > 0 && proto !== null ? proto.split(',')[0]!.trim().toLowerCase() : 'http';
  return `${sent === 'https' ? 'https' : 'http'}://${host}`;
}
