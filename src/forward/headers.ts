// Header rules (pure): hop-by-hop removal in both directions, X-Forwarded-*, X-Request-Id.
// Works on flat raw header arrays ([name, value, name, value, ...]) so that names keep their case
// and order, and duplicates stay separate, as the client or upstream sent them.

import { randomUuid } from '../util/random-hex.js';
import { authorityOf, HOST_VALUE, isUnderscoreSpoof, trustedValuesSane } from './spoofing.js';

/** Never forwarded in either direction (RFC 9110 7.6.1, plus the de-facto Proxy-Connection). */
export function isHopByHop(lower: string): boolean {
  switch (lower) {
    case 'connection':
    case 'keep-alive':
    case 'te':
    case 'trailer':
    case 'transfer-encoding':
    case 'upgrade':
      return true;
    default:
      return lower.startsWith('proxy-');
  }
}

const SANE_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

export function saneRequestId(value: string | null | undefined): string | null {
  return value != null && SANE_REQUEST_ID.test(value) ? value : null;
}

export function newRequestId(): string {
  return randomUuid();
}

/** Lower-cased header names that the Connection header declares hop-by-hop (besides the usual). */
function connectionTokens(value: string, into: Set<string> | null): Set<string> | null {
  // The common values name no other header.
  if (value.length <= 10) {
    const v = value.toLowerCase();
    if (v === 'keep-alive' || v === 'close') return into;
  }
  for (const t of value.split(',')) {
    const token = t.trim().toLowerCase();
    if (token === '' || token === 'close' || token === 'keep-alive') continue;
    (into ??= new Set()).add(token);
  }
  return into;
}

function withoutNamed(headers: string[], named: Set<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    if (!named.has(headers[i]!.toLowerCase())) out.push(headers[i]!, headers[i + 1]!);
  }
  return out;
}

export interface RequestHeadScan {
  /** Forwardable end-to-end headers: no hop-by-hop, Host, Expect, X-Forwarded-* or X-Request-Id. */
  readonly headers: string[];
  readonly host: string | null;
  /** RFC 9112 3.2: several Host fields, or an invalid one, are answered 400; this says why. */
  readonly hostProblem: string | null;
  readonly requestId: string;
  readonly hasBody: boolean;
  readonly expectContinue: boolean;
  readonly forwardedFor: string | null;
  readonly forwardedProto: string | null;
  readonly forwardedHost: string | null;
  /** The client sent an Idempotency-Key (its request may be replayed). */
  readonly idempotencyKey: boolean;
  /** Number of header fields the client sent. */
  readonly count: number;
  /** trustedProxies > 0 and the trusted hop's values are sane: its forwarding headers are kept. */
  readonly trusted: boolean;
  /** The authority of an absolute-form target (`GET http://a.example/p`), else null. */
  readonly authority: string | null;
  /** How the client reached the proxy: https over TLS (server.tls), else http. */
  readonly ownProto: 'http' | 'https';
  /** An HTTP/2 request (its pseudo-header fields came first; they are never forwarded). */
  readonly h2: boolean;
  /** The first User-Agent field, as sent (the access line's; it is forwarded as any other). */
  readonly userAgent: string | undefined;
}

/**
 * One pass over the client's raw headers. `trustedProxies` > 0 keeps the headers a trusted front
 * proxy sets (Forwarded, X-Real-IP, X-Forwarded-Port...) as sent, if its X-Forwarded-For,
 * -Proto and -Host are sane; otherwise they are removed. `target`: the request target as sent.
 */
export function scanRequestHeaders(raw: readonly string[], trustedProxies = 0, target = '/', ownProto: 'http' | 'https' = 'http'): RequestHeadScan {
  const headers: string[] = [];
  let host: string | null = null;
  let hostRepeated = false;
  let requestId: string | null = null;
  let hasBody = false;
  let expectContinue = false;
  let forwardedFor: string | null = null;
  let forwardedProto: string | null = null;
  let forwardedHost: string | null = null;
  let idempotencyKey = false;
  let named: Set<string> | null = null;
  // Where the spoofable headers sit in `headers` (kept only while the request may be trusted).
  let spoofs: number[] | null = null;
  // HTTP/2 (RFC 9113 8.3): `:authority` stands for Host; the other pseudo-header fields are not
  // headers; the Cookie field may come split in several, joined again for an HTTP/1.1 upstream.
  let pseudo = 0;
  let authority: string | null = null;
  let cookieAt = -1;
  let userAgent: string | undefined;

  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const lower = name.toLowerCase();
    switch (lower) {
      case ':authority':
        pseudo++;
        authority = value;
        continue;
      case 'cookie':
        if (pseudo === 0) break;
        if (cookieAt !== -1) {
          headers[cookieAt + 1] += '; ' + value;
          continue;
        }
        cookieAt = headers.length;
        break;
      case 'host':
        if (host === null) host = value;
        else hostRepeated = true;
        continue;
      case 'content-length':
        if (value !== '0') hasBody = true;
        break;
      case 'transfer-encoding':
        hasBody = true;
        continue;
      case 'connection':
        named = connectionTokens(value, named);
        continue;
      case 'expect':
        if (value.toLowerCase() === '100-continue') expectContinue = true;
        continue;
      case 'x-request-id':
        if (requestId === null) requestId = saneRequestId(value);
        continue;
      case 'x-forwarded-for':
        forwardedFor = forwardedFor === null ? value : forwardedFor + ', ' + value;
        continue;
      case 'x-forwarded-proto':
        if (forwardedProto === null) forwardedProto = value;
        continue;
      case 'x-forwarded-host':
        if (forwardedHost === null) forwardedHost = value;
        continue;
      case 'idempotency-key':
        idempotencyKey = true;
        break;
      case 'user-agent':
        userAgent ??= value;
        break;
      case 'proxy': // httpoxy: CGI-style upstreams read it as HTTP_PROXY
        continue;
      case 'forwarded':
      case 'x-real-ip':
      case 'true-client-ip':
      case 'client-ip':
      case 'x-client-ip':
      case 'x-cluster-client-ip':
      case 'x-forwarded-port':
      case 'x-forwarded-prefix':
      case 'x-forwarded-scheme':
      case 'x-forwarded-ssl':
      case 'x-forwarded-server':
      case 'x-original-url':
      case 'x-rewrite-url':
        if (trustedProxies === 0) continue;
        (spoofs ??= []).push(headers.length);
        break;
      default:
        if (lower.charCodeAt(0) === 0x3a) {
          pseudo++; // :method, :path, :scheme (HTTP/2): the request line, not headers
          continue;
        }
        if (isHopByHop(lower)) continue;
        if (lower.indexOf('_') !== -1 && isUnderscoreSpoof(lower)) continue;
    }
    headers.push(name, value);
  }
  const trusted = trustedProxies > 0 && trustedValuesSane(forwardedFor, forwardedProto, forwardedHost, trustedProxies);
  const kept = trusted || spoofs === null ? headers : withoutAt(headers, spoofs);
  const hostDiffers = authority !== null && host !== null && host.toLowerCase() !== authority.toLowerCase();
  if (authority !== null) host = authority;
  return {
    headers: named === null ? kept : withoutNamed(kept, named),
    host,
    hostProblem: hostRepeated
      ? 'a request must not carry more than one Host header'
      : hostDiffers
        ? 'the Host header names another host than :authority'
        : host !== null && !validHost(host)
          ? 'the Host header is not a valid host[:port]'
          : null,
    requestId: requestId ?? newRequestId(),
    hasBody,
    expectContinue,
    forwardedFor,
    forwardedProto,
    forwardedHost,
    idempotencyKey,
    count: (raw.length >> 1) - pseudo,
    trusted,
    authority: pseudo > 0 || target.charCodeAt(0) === 0x2f ? null : authorityOf(target),
    ownProto,
    h2: pseudo > 0,
    userAgent,
  };
}

/** The last Host value found valid: a client sends the same one on every request (a test of a
 *  string against it, not of the pattern). */
let lastValidHost: string | null = null;

function validHost(host: string): boolean {
  if (host === lastValidHost) return true;
  if (!HOST_VALUE.test(host)) return false;
  lastValidHost = host;
  return true;
}

/** The pairs of `headers` except those starting at the indexes `at` (ascending). */
function withoutAt(headers: string[], at: readonly number[]): string[] {
  const out: string[] = [];
  let k = 0;
  for (let i = 0; i < headers.length; i += 2) {
    if (i === at[k]) k++;
    else out.push(headers[i]!, headers[i + 1]!);
  }
  return out;
}

/**
 * X-Forwarded-For: with trustedProxies = 0 the client address replaces whatever the client sent;
 * with N > 0 the last N entries the client side sent are kept (the trusted part) and the client
 * address is appended.
 */
export function forwardedForValue(sent: string | null, clientAddress: string, trustedProxies: number): string {
  if (trustedProxies === 0 || sent === null) return clientAddress;
  const hops = sent.split(',').map((h) => h.trim()).filter((h) => h !== '');
  const trusted = hops.slice(Math.max(0, hops.length - trustedProxies));
  trusted.push(clientAddress);
  return trusted.join(', ');
}

/**
 * The forwarding headers the proxy sets on every request it sends upstream: X-Forwarded-For,
 * -Proto, -Host (the client side's own values kept only from trusted proxies) and X-Request-Id.
 * Appended to `into` as [name, value] pairs.
 */
export function appendForwardingHeaders(into: string[], scan: RequestHeadScan, remoteAddress: string | undefined, trustedProxies: number): string[] {
  const trusted = scan.trusted;
  into.push(
    'x-forwarded-for',
    forwardedForValue(scan.forwardedFor, clientAddressOf(remoteAddress), trusted ? trustedProxies : 0),
    'x-forwarded-proto',
    sentForwardedProto(scan),
  );
  // RFC 9112 3.2.2: an absolute-form target's authority, not the Host field, names the host.
  const host = trusted && scan.forwardedHost !== null ? scan.forwardedHost : namedHost(scan);
  if (host !== null) into.push('x-forwarded-host', host);
  into.push('x-request-id', scan.requestId);
  return into;
}

/**
 * The headers every request (and every upgrade) is sent upstream with: the client's end-to-end
 * headers, its Host when the route preserves it (else undici names the upstream's), and the
 * forwarding headers. Appended to the scan's own array.
 */
export function upstreamRequestHeaders(scan: RequestHeadScan, preserveHost: boolean, remoteAddress: string | undefined, trustedProxies: number): string[] {
  const headers = scan.headers;
  const host = preserveHost ? namedHost(scan) : null; // (a proxy replaces Host with the target's authority)
  if (host !== null) headers.push('host', host);
  return appendForwardingHeaders(headers, scan, remoteAddress, trustedProxies);
}

/** The host a request names: an absolute-form target's authority (RFC 9112 3.2.2), else Host. */
export const namedHost = (scan: RequestHeadScan): string | null => scan.authority ?? scan.host;

/** The X-Forwarded-Proto the proxy sends upstream: a trusted side's value, else how the client
 *  reached the proxy (https over TLS, else http). */
export function sentForwardedProto(scan: RequestHeadScan): string {
  return scan.trusted && scan.forwardedProto !== null ? scan.forwardedProto : scan.ownProto;
}

export function clientAddressOf(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined) return 'unknown';
  return remoteAddress.startsWith('::ffff:') ? remoteAddress.slice(7) : remoteAddress;
}

/** The upstream's raw response headers (Buffers, latin1 round-trips every byte), made forwardable. */
export function responseHeaders(raw: readonly Buffer[], requestId: string, closeConnection: boolean): string[] {
  const out: string[] = [];
  let named: Set<string> | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1');
    const lower = name.toLowerCase();
    if (lower === 'connection') {
      named = connectionTokens(raw[i + 1]!.toString('latin1'), named);
      continue;
    }
    if (lower === 'x-request-id' || isHopByHop(lower)) continue;
    out.push(name, raw[i + 1]!.toString('latin1'));
  }
  const headers = named === null ? out : withoutNamed(out, named);
  headers.push('x-request-id', requestId);
  if (closeConnection) headers.push('connection', 'close');
  return headers;
}
