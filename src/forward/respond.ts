// Proxy-made JSON errors: on a live ServerResponse, or as raw bytes on a socket the HTTP server
// has handed over (parser errors, CONNECT, refused upgrades), each with its one access line.

import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorBody, rawErrorResponse, STATUS_OF, type ErrorCode } from '../errors.js';
import type { AccessLog } from '../observability/access-log.js';
import { newRequestId, saneRequestId } from './headers.js';
import { protocolOf } from './client-fields.js';
import { endStreamAfter, h2StreamOf, respondOnStream } from './h2-stream.js';
import { h2ResponseHeaderObject } from './h2-response-headers.js';

export function sendError(
  res: ServerResponse,
  code: ErrorCode,
  message: string,
  requestId: string,
  route: string | undefined,
  closeConnection: boolean,
  extra?: readonly string[],
): number {
  const status = STATUS_OF[code];
  const body = errorBody(code, message, requestId, route);
  const headers = [
    'content-type', 'application/json',
    'content-length', String(Buffer.byteLength(body)),
    'x-request-id', requestId,
  ];
  if (extra !== undefined) headers.push(...extra);
  // HTTP/2 has no Connection field: its stream ends instead (the session carries other requests).
  const stream = h2StreamOf(res);
  if (closeConnection && stream === null) headers.push('connection', 'close');
  const refused = writeHeadOrUndo(res, status, null, stream === null ? headers : h2ResponseHeaderObject(headers));
  if (refused !== null) throw refused; // (fields the proxy made: never)
  res.end(body);
  if (closeConnection && stream !== null) endStreamAfter(stream);
  return status;
}

/**
 * Writes a response head, relayed or the proxy's own. On HTTP/2, a head given as an object (as
 * h2ResponseHeaderObject makes it: the relay and sendError give it so) goes out on the stream
 * itself (respondOnStream says why not through the compat API's writeHead); a list takes
 * writeHead. Node throws on a head it refuses to write (HTTP/2 is stricter than HTTP/1.1); then
 * nothing went out, the fields writeHead took are removed again, and the error is returned: the
 * response stays clean for the proxy's JSON error.
 */
export function writeHeadOrUndo(res: ServerResponse, status: number, reason: string | null, headers: string[] | OutgoingHttpHeaders): Error | null {
  if (!Array.isArray(headers)) {
    const stream = h2StreamOf(res);
    if (stream !== null) return respondOnStream(res, stream, status, headers);
  }
  try {
    if (reason === null) res.writeHead(status, headers);
    else res.writeHead(status, reason, headers);
    return null;
  } catch (err) {
    if (res.headersSent) throw err;
    const sendDate = res.sendDate;
    for (const name of res.getHeaderNames()) res.removeHeader(name); // (removing Date turns sendDate off)
    // Node's HTTP/2 compat API never removes Date: one value, now, as it would have sent.
    if (res.getHeader('date') !== undefined) res.setHeader('date', new Date().toUTCString());
    res.sendDate = sendDate;
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** Where a refusal's access line goes (the access log, or an exchange that will write it). */
export type AccessSink = Pick<AccessLog, 'write'>;

/** Answers on a raw socket with the JSON error (no body after the header fields when the method is
 *  HEAD, as Node's ServerResponse does for sendError), closes it, and writes the access line. */
export function refuseSocket(
  socket: Duplex,
  code: ErrorCode,
  message: string,
  access: AccessSink,
  line: { readonly method: string; readonly path?: string; readonly requestId?: string; readonly startedAt?: number; readonly clientIp?: string; readonly userAgent?: string; readonly route?: string },
): void {
  const requestId = line.requestId ?? newRequestId();
  socket.end(rawErrorResponse(code, message, requestId, line.method === 'HEAD', [], line.route));
  access.write(
    {
      requestId, method: line.method, path: line.path ?? '-', route: null, upstream: null,
      status: STATUS_OF[code], bytes: 0, startedAt: line.startedAt ?? performance.now(), error: code, detail: message,
      clientIp: line.clientIp, userAgent: line.userAgent,
    },
    null,
  );
}

/** The client's X-Request-Id when sane (the one a forwarded request carries), else a new one. */
export function clientRequestId(headers: IncomingHttpHeaders): string {
  const sent = headers['x-request-id'];
  return saneRequestId(typeof sent === 'string' ? sent : null) ?? newRequestId();
}

/** Node's bare 417 for an Expect other than 100-continue, said as the contract's 400. */
export function expectationMessage(expect: unknown): string {
  return `the expectation '${String(expect).slice(0, 64)}' cannot be met; only Expect: 100-continue is supported`;
}

/** Answers a request the server refuses before any route (HTTP/1.x or HTTP/2) with the JSON error
 *  and its access line; `close`: its connection (HTTP/2: its stream) ends after it. */
export function refuseRequest(
  req: { readonly method?: string; readonly headers: IncomingHttpHeaders; readonly httpVersionMajor?: number; readonly httpVersionMinor?: number },
  res: ServerResponse,
  code: ErrorCode,
  message: string,
  access: AccessLog,
  close: boolean,
): void {
  const startedAt = performance.now();
  const requestId = clientRequestId(req.headers);
  const status = sendError(res, code, message, requestId, undefined, close);
  access.write({ requestId, method: req.method ?? '-', path: '-', route: null, upstream: null, status, bytes: 0, startedAt, error: code, detail: message, protocol: protocolOf(req) }, null);
}
