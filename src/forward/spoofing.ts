// Who may speak for the client (pure): the forwarding headers a client could send to pose as a
// trusted hop, the sanity checks on what trusted hops sent, and the authority of an absolute-form
// target. Used by the one header pass in headers.ts.

import { isIP } from 'node:net';

/** RFC 3986 `uri-host [":" port]`; empty is allowed (RFC 9112 3.2). Checked by the header scan. */
export const HOST_VALUE = /^(?:\[[0-9A-Za-z:.%~_-]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]*)(?::[0-9]*)?$/;

/** Forwarding headers spelled with `_` for `-` (X_Forwarded_For): a CGI/WSGI upstream reads them as
 *  the real ones (HTTP_X_FORWARDED_FOR). Always removed: a trusted proxy sends the `-` spelling. */
const UNDERSCORE_SPOOFS = new Set([
  'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-prefix',
  'x-forwarded-scheme', 'x-forwarded-ssl', 'x-forwarded-server', 'x-real-ip', 'true-client-ip', 'client-ip',
  'x-client-ip', 'x-cluster-client-ip', 'x-original-url', 'x-rewrite-url',
]);

export function isUnderscoreSpoof(lower: string): boolean {
  return UNDERSCORE_SPOOFS.has(lower.replaceAll('_', '-'));
}

/**
 * Whether the values the trusted hops sent may be believed: every trusted X-Forwarded-For entry
 * (the last `trustedProxies`) an IP address, X-Forwarded-Proto `http` or `https`, X-Forwarded-Host
 * a host[:port]. If not, the request is treated as untrusted (its values replaced).
 */
export function trustedValuesSane(forwardedFor: string | null, proto: string | null, host: string | null, trustedProxies: number): boolean {
  if (proto !== null && proto !== 'http' && proto !== 'https') return false;
  if (host !== null && (host === '' || !HOST_VALUE.test(host))) return false;
  if (forwardedFor === null) return true;
  const hops = forwardedFor.split(',');
  let checked = 0;
  for (let i = hops.length - 1; i >= 0 && checked < trustedProxies; i--) {
    const hop = hops[i]!.trim();
    if (hop === '') continue;
    if (isIP(hop) === 0) return false;
    checked++;
  }
  return true;
}

/** `host[:port]` of an absolute-form target, without userinfo (refused by the path rules anyway). */
export function authorityOf(target: string): string | null {
  const from = target.indexOf('://');
  if (from === -1) return null;
  let end = from + 3;
  while (end < target.length) {
    const c = target.charCodeAt(end);
    if (c === 0x2f || c === 0x3f || c === 0x23) break;
    end++;
  }
  const at = target.lastIndexOf('@', end);
  const authority = target.slice(at > from ? at + 1 : from + 3, end);
  return authority === '' ? null : authority;
}
