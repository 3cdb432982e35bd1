// Who the client is, as the identity gate and the access line see it: its address after the
// trustedProxies rules, the User-Agent it sent, and the protocol it spoke.

import { clientAddressOf, type RequestHeadScan } from './headers.js';

const PEER = Symbol('strangler.peer');

/** An HTTP/1.x connection's peer address, read from Node once per connection (its getter goes
 *  down to the socket's handle on every read: ~0.2% of the proxy's CPU per request). */
export function peerAddressOf(socket: object): string | undefined {
  const s = socket as { [PEER]?: string; readonly remoteAddress?: string };
  return (s[PEER] ??= s.remoteAddress);
}

/** The client address after the trustedProxies rules: with N trusted proxies, the X-Forwarded-For
 *  entry the outermost of them appended (its N-th from the end); else the connection's peer. */
export function clientIpOf(scan: Pick<RequestHeadScan, 'forwardedFor' | 'trusted'>, remoteAddress: string | undefined, trustedProxies: number): string {
  const sent = scan.forwardedFor;
  if (!scan.trusted || sent === null || trustedProxies === 0) return clientAddressOf(remoteAddress);
  const hops = sent.split(',').map((h) => h.trim()).filter((h) => h !== '');
  return hops.length === 0 ? clientAddressOf(remoteAddress) : hops[Math.max(0, hops.length - trustedProxies)]!;
}

/** The first User-Agent field of a raw header list, as sent (the access line cleans it). */
export function userAgentOf(raw: readonly string[]): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 10 && name.toLowerCase() === 'user-agent') return raw[i + 1];
  }
  return undefined;
}

/** The protocol a request came in, as nginx's $server_protocol says it: HTTP/1.1, HTTP/1.0,
 *  HTTP/2.0 (undefined: not known, a request the parser refused). */
export function protocolOf(req: { readonly httpVersionMajor?: number; readonly httpVersionMinor?: number }): string | undefined {
  const major = req.httpVersionMajor;
  const minor = req.httpVersionMinor;
  if (major === 1) return minor === 1 ? 'HTTP/1.1' : minor === 0 ? 'HTTP/1.0' : `HTTP/1.${minor}`;
  if (major === 2) return 'HTTP/2.0';
  return major === undefined ? undefined : `HTTP/${major}.${minor}`;
}

/** The access line's client fields of a request that got as far as its header scan. */
export function clientFieldsOf(
  req: { readonly rawHeaders: readonly string[]; readonly socket?: { readonly remoteAddress?: string } | null; readonly httpVersionMajor?: number; readonly httpVersionMinor?: number },
  scan: Pick<RequestHeadScan, 'forwardedFor' | 'trusted'>,
  trustedProxies: number,
): { clientIp: string; userAgent: string | undefined; protocol: string | undefined } {
  return { clientIp: clientIpOf(scan, req.socket?.remoteAddress, trustedProxies), userAgent: userAgentOf(req.rawHeaders), protocol: protocolOf(req) };
}
