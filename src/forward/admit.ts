// The prelude every request and every upgrade goes through, in one place: the HTTP version, the
// header count, the Host rules (RFC 9112 3.2), path normalisation, and the route match against one
// table snapshot.
// Pure: it reads the request head and the table, and says which route takes it or why none may.

import type { ErrorCode } from '../errors.js';
import { normalizeTarget } from '../routing/normalize.js';
import type { CompiledRoute, RouteTable } from '../routing/table.js';
import { scanRequestHeaders, type RequestHeadScan } from './headers.js';

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
  /** HTTP/2 (the compat API's request): its stream says whether a body follows the head. */
  readonly stream?: { readonly endAfterHeaders: boolean };
}

export function admit(table: RouteTable, req: RequestHead): Admitted | Refused {
  let scan = scanRequestHeaders(req.rawHeaders, table.server.trustedProxies, req.url);
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
  if (scan.hostProblem !== null) return refused(scan, 'bad_request', scan.hostProblem);
  if (scan.host === null && (req.httpVersionMinor === 1 || scan.h2)) return refused(scan, 'bad_request', `an HTTP/${scan.h2 ? '2' : '1.1'} request needs a Host header${scan.h2 ? ' or :authority' : ''}`);
  const target = normalizeTarget(req.url!, table.server.escapedSlashes === 'keep');
  if (!target.ok) return refused(scan, 'bad_request', target.reason);
  // RFC 9112 3.2.2: an absolute-form target's authority, not the Host field, names the host.
  const route = table.match(method, target.path, scan.authority ?? scan.host);
  if (route === undefined) return refused(scan, 'no_route', `no route matches ${method} ${target.path}`, target.path);
  return { ok: true, scan, route, path: target.path, search: target.search };
}

function refused(scan: RequestHeadScan, code: ErrorCode, message: string, path = '-', close = false): Refused {
  return { ok: false, scan, code, message, path, close };
}
