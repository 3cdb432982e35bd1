// The prelude every request and every upgrade goes through, in one place: the HTTP version, the
// header count (HTTP/2: also the header list size), the Host rules (RFC 9112 3.2), path
// normalisation, and the route match against one table snapshot.
// Pure: it reads the request head and the table, and says which route takes it or why none may.

import type { ErrorCode } from '../errors.js';
import { normalizeTarget } from '../routing/normalize.js';
import type { CompiledRoute, RouteTable } from '../routing/table.js';
import { namedHost, scanRequestHeaders, type RequestHeadScan } from './headers.js';

export interface Admitted {
  readonly ok: true;
  readonly scan: RequestHeadScan;
  readonly route: CompiledRoute;
  /** The normalised path (what is matched, logged and forwarded) and the query, as sent. */
  readonly path: string;
  readonly search: string;
}

export interface Refused {
  readonly ok: false;
  readonly scan: RequestHeadScan;
  readonly code: ErrorCode;
  readonly message: string;
  /** The normalised path when it got that far, else '-'. */
  readonly path: string;
  /** The connection cannot be trusted to carry another request (an HTTP version we do not speak). */
  readonly close: boolean;
}

export interface RequestHead {
  readonly method?: string;
  readonly url?: string;
  readonly rawHeaders: string[];
  readonly httpVersionMajor: number;
  readonly httpVersionMinor: number;
  /** A TLS socket says `encrypted: true` (the request came over server.tls). */
  readonly socket?: object | null;
  /** HTTP/2 (the compat API's request): its stream says whether a body follows the head. */
  readonly stream?: { readonly endAfterHeaders: boolean };
}

export function admit(table: RouteTable, req: RequestHead): Admitted | Refused {
  const overTls = (req.socket as { encrypted?: unknown } | null | undefined)?.encrypted === true;
  let scan = scanRequestHeaders(req.rawHeaders, table.server.trustedProxies, req.url, overTls ? 'https' : 'http');
  const method = req.method!;
  // HTTP/2 frames the body itself: DATA frames may follow without Content-Length.
  if (scan.h2 && !scan.hasBody && req.stream?.endAfterHeaders === false) scan = { ...scan, hasBody: true };
  // Versions the parser accepts but RFC 9112 does not (0.9, 2.0); real HTTP/2 carries pseudo-headers.
  if (req.httpVersionMajor !== 1 && !(scan.h2 && req.httpVersionMajor === 2)) {
    return refused(scan, 'bad_request', `HTTP/${req.httpVersionMajor}.${req.httpVersionMinor} requests are not accepted; use HTTP/1.1 or HTTP/1.0`, '-', true);
  }
  if (scan.count > table.server.maxHeadersCount) {
    return refused(scan, 'headers_too_large', `the request has ${scan.count} header fields; at most ${table.server.maxHeadersCount} are accepted`);
  }
  // HTTP/1.1's parser enforces maxHeaderBytes; node:http2 only announces it (SETTINGS_MAX_HEADER_LIST_SIZE).
  if (scan.h2 && headerListSize(req.rawHeaders) > table.server.maxHeaderBytes) {
    // As over HTTP/1.1, where a request line past the limit is a hostile target (400), not 431.
    if (req.url!.length > table.server.maxHeaderBytes) return refused(scan, 'bad_request', `the request target is too long (its :path exceeds ${table.server.maxHeaderBytes} bytes)`);
    return refused(scan, 'headers_too_large', `the request headers exceed ${table.server.maxHeaderBytes} bytes`);
  }
  if (scan.hostProblem !== null) return refused(scan, 'bad_request', scan.hostProblem);
  if (scan.host === null && (req.httpVersionMinor === 1 || scan.h2)) return refused(scan, 'bad_request', `an HTTP/${scan.h2 ? '2' : '1.1'} request needs a Host header${scan.h2 ? ' or :authority' : ''}`);
  const target = normalizeTarget(req.url!, table.server.escapedSlashes === 'keep');
  if (!target.ok) return refused(scan, 'bad_request', target.reason);
  // RFC 9112 3.2.2: an absolute-form target's authority, not the Host field, names the host.
  const route = table.match(method, target.path, namedHost(scan));
  if (route === undefined) return refused(scan, 'no_route', `no route matches ${method} ${target.path}`, target.path);
  return { ok: true, scan, route, path: target.path, search: target.search };
}

/** An HTTP/2 header list's size as SETTINGS_MAX_HEADER_LIST_SIZE counts it (RFC 9113 6.5.2):
 *  name and value octets plus 32 per field, pseudo-header fields included (Node decodes latin1). */
function headerListSize(raw: readonly string[]): number {
  let size = 0;
  for (let i = 0; i < raw.length; i += 2) size += raw[i]!.length + raw[i + 1]!.length + 32;
  return size;
}

function refused(scan: RequestHeadScan, code: ErrorCode, message: string, path = '-', close = false): Refused {
  return { ok: false, scan, code, message, path, close };
}

/**
 * The same prelude for an upgrade, then what an upgrade needs besides (RFC 6455 4.1): a WebSocket
 * upgrade, by GET, in HTTP/1.1, without a body (a handshake has none: one that carries a body is
 * refused rather than forwarded). The errors have no 405: a wrong method is a bad request here.
 */
export function admitUpgrade(table: RouteTable, req: RequestHead & { readonly headers: { readonly upgrade?: string } }): Admitted | Refused {
  const a = admit(table, req);
  if (!a.ok && a.code !== 'no_route') return a;
  const problem = upgradeProblem(req, a.scan);
  return problem === null ? a : refused(a.scan, 'bad_request', problem, a.path, true);
}

function upgradeProblem(req: RequestHead & { readonly headers: { readonly upgrade?: string } }, scan: RequestHeadScan): string | null {
  const protocol = req.headers.upgrade ?? '';
  if (protocol.toLowerCase() !== 'websocket') return `upgrading to '${protocol.slice(0, 64)}' is not supported; only WebSocket upgrades are proxied`;
  if (req.method !== 'GET') return `a WebSocket upgrade must be a GET request, not ${req.method}`;
  if (req.httpVersionMinor !== 1) return `a WebSocket upgrade needs HTTP/1.1, not HTTP/1.${req.httpVersionMinor}`;
  if (scan.hasBody) return 'an upgrade request must not carry a body';
  return null;
}
