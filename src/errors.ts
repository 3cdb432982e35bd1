// Every response the proxy makes itself: a stable code, its HTTP status, and the JSON body.
// The mapping from failure to code to status lives here and nowhere else.

import { STATUS_CODES } from 'node:http';
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
 *  the body off, a started body was silent for the route's idleTimeoutMs, or the shutdown's drain
 *  timed out and the proxy closed a connection still busy. */
export type AccessOnlyCode = 'client_closed' | 'upstream_aborted' | 'idle_timeout' | 'drain_timeout';

/** The detail of a drain_timeout line (a request or a WebSocket tunnel the shutdown cut). */
export const DRAIN_CUT = 'the drain timed out: the proxy closed the connection';

/** A code the proxy answers with a JSON body (not one only an access line carries). */
export function isErrorCode(code: ErrorCode | AccessOnlyCode): code is ErrorCode {
  return code in STATUS_OF;
}

/** The codes an upstream exchange can end with (the rest answer the client's own request). */
export type ProxyFailureCode = 'upstream_timeout' | 'upstream_unavailable' | 'circuit_open';

/** What the client is answered when its request's sending ended in `kind` without a response. */
export function failureCode(kind: FailureKind | 'circuit_open'): ProxyFailureCode {
  if (kind === 'timeout') return 'upstream_timeout';
  if (kind === 'circuit_open') return 'circuit_open';
  return 'upstream_unavailable'; // connect-error, reset (a cancelled exchange answers no one)
}


export function errorBody(code: ErrorCode, message: string, requestId: string, route?: string): string {
  const body: Record<string, string> = { error: code, message, requestId };
  if (route !== undefined) body.route = route;
  return JSON.stringify(body);
}

/** A complete HTTP/1.1 response as raw bytes (latin1), for sockets the HTTP server has given up
 *  on or handed over: `fields` as name, value pairs; no body when `head` (a HEAD request's answer
 *  has the same header fields and no body, RFC 9110 9.3.2). */
export function rawResponse(status: number, fields: readonly string[], body: string | Buffer, head = false): Buffer {
  let text = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
  for (let i = 0; i < fields.length; i += 2) text += `${fields[i]}: ${fields[i + 1]}\r\n`;
  const start = Buffer.from(text + '\r\n', 'latin1');
  return head || body.length === 0 ? start : Buffer.concat([start, typeof body === 'string' ? Buffer.from(body) : body]);
}

/** The proxy's JSON error as a raw response that closes the connection; `extra`: more fields. */
export function rawErrorResponse(code: ErrorCode, message: string, requestId: string, head = false, extra: readonly string[] = [], route?: string): Buffer {
  const body = errorBody(code, message, requestId, route);
  const fields = ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(body)), 'x-request-id', requestId, ...extra, 'connection', 'close'];
  return rawResponse(STATUS_OF[code], fields, body, head);
}
