// The admin API's two request checks, as pure decisions (guard.ts answers them):
// - DNS rebinding: a page on evil.example whose name is made to resolve to 127.0.0.1 reaches the
//   admin port with `Host: evil.example`. Only loopback names, the admin host itself (bound to
//   0.0.0.0 or ::, that is the address the request came in on: Prometheus and other scrapers
//   address a pod or a container by its IP) and the names in `server.adminAllowedHosts` are
//   served (any port).
// - Cross-site requests: a page elsewhere can make the browser POST here (no CORS preflight for a
//   simple form or fetch). A state-changing request whose `Origin` is not the admin's own is
//   refused, token or not.

import { hostName, isLoopbackName } from '../util/host-name.js';

export interface HostPolicy {
  /** The address the admin port is bound to. */
  readonly adminHost: string;
  /** `server.adminAllowedHosts` of the live table. */
  readonly allowedHosts: readonly string[];
  /** The local address the request arrived on (its socket's), when known. */
  readonly localAddress?: string | undefined;
}

/** A socket's local address as hostName gives names: an IPv4-mapped IPv6 one as plain IPv4. */
function localName(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  return hostName(address.toLowerCase().startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address);
}

/** Whether a request with this Host header (undefined: none) may be served. */
export function hostAllowed(host: string | undefined, policy: HostPolicy): boolean {
  const name = host === undefined ? undefined : hostName(host);
  if (name === undefined) return false;
  if (isLoopbackName(name) || name === hostName(policy.adminHost) || name === localName(policy.localAddress)) return true;
  return policy.allowedHosts.some((entry) => hostName(entry) === name);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether a request may change state as far as its Origin says: safe methods and requests
 *  without Origin (not sent by a browser) pass; else the Origin must be http(s)://<Host>. */
export function originAllowed(method: string, origin: string | undefined, host: string | undefined): boolean {
  if (SAFE_METHODS.has(method) || origin === undefined) return true;
  if (host === undefined) return false;
  let from: URL;
  let own: URL;
  try {
    from = new URL(origin);
    own = new URL(`http://${host}`);
  } catch {
    return false; // "null" (sandboxed frames, file: pages) and anything unparsable
  }
  return (from.protocol === 'http:' || from.protocol === 'https:') && from.host === own.host;
}

/** Why a Host is refused, for the 403's message. */
export function hostRefusal(host: string | undefined): string {
  const got = host === undefined ? 'no Host header' : `Host ${JSON.stringify(host)}`;
  return (
    `the admin API answers only requests addressed to localhost, 127.0.0.1, [::1], its own address (the one the request came in on) ` +
    `or a name listed in server.adminAllowedHosts (got ${got}): this guards against DNS rebinding`
  );
}

export function originRefusal(origin: string): string {
  return `a state-changing admin request must come from the admin's own origin (got Origin ${JSON.stringify(origin)}): cross-site requests are refused`;
}
