// Host names as the admin API compares them, whether they come from a Host header
// ("name:port", "[v6]:port"), a bind address ("0.0.0.0", "::1") or an allow-list entry:
// lowercased, without a trailing dot, IP literals in URL's canonical form ("[::1]"). Pure.

import { isIPv6 } from 'node:net';

// Userinfo, paths, queries, fragments, backslashes and zone ids have no place in a host.
const NOT_A_HOST = /[\s/@?#\\%]/;

/** The host name of `value` (port dropped), or undefined when it is not a host at all. */
export function hostName(value: string): string | undefined {
  const v = isIPv6(value) ? `[${value}]` : value;
  if (v === '' || NOT_A_HOST.test(v)) return undefined;
  let name: string;
  try {
    name = new URL(`http://${v}`).hostname;
  } catch {
    return undefined;
  }
  if (name.endsWith('.')) name = name.slice(0, -1);
  return name === '' ? undefined : name;
}

/** "name:port" or "[v6]:port" (a bare IPv6 address has none). */
export function hasPort(value: string): boolean {
  if (isIPv6(value)) return false;
  return value.startsWith('[') ? value.includes(']:') : value.includes(':');
}

/** localhost, 127.0.0.0/8 or [::1], as hostName returns them. */
export function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/** A bind address or host (`server.adminHost`, `--admin-host`, ADMIN_HOST) that stays on this machine. */
export function isLoopbackHost(value: string): boolean {
  const name = hostName(value);
  return name !== undefined && isLoopbackName(name);
}
