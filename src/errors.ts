// Every response the proxy makes itself: a stable code, its HTTP status, and the JSON body.
// The mapping from failure to code to status lives here and nowhere else.

import type { FailureKind } from './forward/failure.js';

export type ErrorCode =
  | 'bad_request'
  | 'no_route'
  | 'payload_too_large'
  | 'request_timeout'
  | 'headers_too_large'
  | 'upstream_unavailable'
  | 'circuit_open'
  | 'upstream_timeout'
  | 'unauthorized'
  | 'forbidden'
  | 'rate_limited'
  | 'auth_unavailable';

export const STATUS_OF: Readonly<Record<ErrorCode, number>> = {
  bad_request: 400,
  no_route: 404,
  request_timeout: 408,
  payload_too_large: 413,
  headers_too_large: 431,
  upstream_unavailable: 502,
  circuit_open: 503,
  upstream_timeout: 504,
  unauthorized: 401,
  forbidden: 403,
  rate_limited: 429,
  auth_unavailable: 503,
};

/** Codes that only an access line carries (no body is sent): the client left, the upstream broke
 *  the body off, or a started body was silent for the route's idleTimeoutMs. */
export type AccessOnlyCode = 'client_closed' | 'upstream_aborted' | 'idle_timeout';

/** The codes an upstream exchange can end with (the rest answer the client's own request). */
export type ProxyFailureCode = 'upstream_timeout' | 'upstream_unavailable' | 'circuit_open';

/** What the client is answered when its request's sending ended in `kind` without a response. */
export function failureCode(kind: FailureKind | 'circuit_open'): ProxyFailureCode {
  if (kind === 'timeout') return 'upstream_timeout';
  if (kind === 'circuit_open') return 'circuit_open';
  return 'upstream_unavailable'; // connect-error, reset (a cancelled exchange answers no one)
}

const REASON: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function errorBody(code: ErrorCode, message: string, requestId: string, route?: string): string {
  const body: Record<string, string> = { error: code, message, requestId };
  if (route !== undefined) body.route = route;
  return JSON.stringify(body);
}

/** A complete HTTP/1.1 response as raw bytes, for sockets the HTTP server has given up on. The
 *  answer to a HEAD request has the same header fields and no body (RFC 9110 9.3.2). */
export function rawErrorResponse(code: ErrorCode, message: string, requestId: string, head = false): string {
  const status = STATUS_OF[code];
  const body = errorBody(code, message, requestId);
  return (
    `HTTP/1.1 ${status} ${REASON[status]}\r\n` +
    'content-type: application/json\r\n' +
    `content-length: ${Buffer.byteLength(body)}\r\n` +
    `x-request-id: ${requestId}\r\n` +
    'connection: close\r\n\r\n' +
    (head ? '' : body)
  );
}
