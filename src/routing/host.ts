// Host names for host routes (pure): the request's host as a route table looks it up, and a
// route's label. The request's authority (an absolute-form target's, which wins over Host, else the
// Host header; HTTP/2: `:authority`) comes from the header scan (forward/headers.ts); here it is
// lower-cased, without the port, without one trailing dot (`api.example.com.` is the same name).

/** `Api.Example.com:8080` -> `api.example.com`; `[::1]:80` -> `[::1]`. */
export function bareHost(authority: string): string {
  let h = authority;
  if (h.charCodeAt(0) === 0x5b /* [ */) {
    const close = h.indexOf(']');
    if (close !== -1) h = h.slice(0, close + 1);
  } else {
    const colon = h.indexOf(':');
    if (colon !== -1) h = h.slice(0, colon);
  }
  if (h.length > 1 && h.charCodeAt(h.length - 1) === 0x2e /* . */) h = h.slice(0, -1);
  return h.toLowerCase();
}

/** The suffix a one-label wildcard route is filed under: `a.example.com` -> `example.com`
 *  (so `*.example.com` matches it, and neither `example.com` nor `a.b.example.com`). */
export function wildcardSuffix(host: string): string | undefined {
  const dot = host.indexOf('.');
  return dot <= 0 || dot === host.length - 1 ? undefined : host.slice(dot + 1);
}

/** A route's name in logs, metrics and messages: its prefix, or host + prefix for a host route
 *  (`api.example.com/users`, `*.example.com/users`). */
export function routeLabel(r: { readonly host?: string | null; readonly prefix: string }): string {
  return r.host == null ? r.prefix : `${r.host.toLowerCase()}${r.prefix}`;
}
