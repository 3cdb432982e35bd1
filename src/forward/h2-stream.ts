// What a response does differently when it travels on an HTTP/2 stream (the compat API's
// Http2ServerResponse behind the same handler): one request's failure resets its stream, never
// the connection (the session carries other requests), and a reset the proxy makes itself is
// marked, so that only the client's own resets count towards the rapid-reset limit (h2-server.ts).

import { constants, sensitiveHeaders, type OutgoingHttpHeaders, type ServerHttp2Stream, type ServerStreamResponseOptions } from 'node:http2';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout } from 'node:timers/promises';

const RESET_HERE = Symbol('strangler.resetHere');

type Marked = ServerHttp2Stream & { [RESET_HERE]?: true };

/** The HTTP/2 stream this response is written to, or null for an HTTP/1.x response. */
export function h2StreamOf(res: ServerResponse): ServerHttp2Stream | null {
  return (res as ServerResponse & { stream?: ServerHttp2Stream }).stream ?? null;
}

/** The proxy reset this stream itself (not the client). */
export function resetHere(stream: ServerHttp2Stream): boolean {
  return (stream as Marked)[RESET_HERE] === true;
}

/** node:http2 resets a stream it destroys with CANCEL only for an error of its own AbortError
 *  class, which it does not export: one, from an aborted timer (set a microtask after load; until
 *  then, INTERNAL_ERROR). */
let aborted: Error | null = null;
void setTimeout(0, undefined, { signal: AbortSignal.abort() }).catch((e: Error) => (aborted = e));

/**
 * Resets the stream at once (RST_STREAM CANCEL, or INTERNAL_ERROR for a failure), marked as the
 * proxy's own reset. It is destroyed, so its writable side never ends: `stream.close(code)` ends
 * it first, and over TLS (a session on a JS socket) the empty END_STREAM frame went out before
 * the RST_STREAM, so a client took a body broken off without Content-Length for a complete one.
 */
function resetStream(stream: ServerHttp2Stream, failure: boolean): void {
  (stream as Marked)[RESET_HERE] = true;
  stream.destroy(!failure && aborted !== null ? aborted : new Error('the proxy reset this stream'));
}

/**
 * The client reset this stream (RST_STREAM) before the answer was all written. With NO_ERROR (what
 * a node:http2 client's `req.close()` sends), node:http2 says 'aborted' and then waits for writes
 * the client will never take: the response never closed, and its upstream request held a
 * connection until the whole session ended (or, with idleTimeoutMs, was cut as the upstream's
 * idle_timeout). Destroyed here, the stream closes and its response with it: the exchange ends as
 * the client's (client_closed) and its upstream request is aborted. (CANCEL and other codes
 * closed it already.) Watched on every stream of a session (h2-server.ts).
 */
export function closeOnClientReset(stream: ServerHttp2Stream): void {
  stream.on('aborted', onAborted); // ('aborted' comes at most once)
}

function onAborted(this: ServerHttp2Stream): void {
  if (!this.destroyed && !resetHere(this)) this.destroy();
}

/** Breaks a response under way: the client sees it incomplete (HTTP/1.x: the connection closes;
 *  HTTP/2: the stream is reset, INTERNAL_ERROR for a failure, else CANCEL). */
export function breakResponse(res: ServerResponse, err?: Error): void {
  const stream = h2StreamOf(res);
  if (stream === null) res.destroy(err);
  else resetStream(stream, err !== undefined);
}

/** After this response, the request's stream ends (RST_STREAM NO_ERROR once the response is out,
 *  RFC 9113 8.1): an unread request body stops there, as an HTTP/1.x connection would close.
 *  Closed only once the answer is all written (the stream's own 'finish': the compat response
 *  says 'finish' only once the stream closes): closing clears the stream's idle timer, which must
 *  still guard an answer a client is slow to read. */
export function endStreamAfter(stream: ServerHttp2Stream): void {
  if (stream.writableFinished) endStream(stream);
  else stream.once('finish', () => endStream(stream));
}

/** RST_STREAM NO_ERROR, then, a turn later, the stream freed: closed with part of the upload
 *  still unread in it, node:http2 never destroyed it (it waits for the readable side to end), so
 *  the session kept an open stream for ever: never closed when idle, its socket left in
 *  CLOSE-WAIT once the client had gone, and a shutdown's drain waited its whole timeout. */
function endStream(stream: ServerHttp2Stream): void {
  stream.close(constants.NGHTTP2_NO_ERROR);
  setImmediate(destroyClosed, stream);
}

function destroyClosed(stream: ServerHttp2Stream): void {
  if (!stream.destroyed) stream.destroy();
}

/** Writes to the client wait for it to read (HTTP/2: its stream's; the compat response has no
 *  writableNeedDrain of its own). */
export function clientHoldsUp(res: ServerResponse): boolean {
  return (h2StreamOf(res) ?? res).writableNeedDrain;
}

/** A response is over while its request is still open. HTTP/2, for a request with a body (a
 *  Content-Length above 0, or none on a method that takes a body): once the answer is out, the
 *  stream ends (RST_STREAM NO_ERROR, RFC 9113 8.1) so that the client stops sending: nothing
 *  reads the rest, and the stream's flow-control window would hold the client until
 *  idleTimeoutMs (for ever with 0). A bodiless request whose client has not ended its side is
 *  left to it. HTTP/1.x: the connection closes after a lingering read (early-answer.ts). */
export function endUnreadUpload(req: IncomingMessage, res: ServerResponse): void {
  const stream = h2StreamOf(res);
  if (stream === null) return;
  const length = req.headers['content-length'];
  if (length === undefined ? !BODILESS.has(req.method!) : length !== '0') endStreamAfter(stream);
}

const BODILESS = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE', 'TRACE']);

/** Fields whose value is new on every response: sent never indexed (HPACK), so they neither enter
 *  the connection's header table nor push out the fields that do repeat. Indexed, each response's
 *  X-Request-Id was one more table entry under the same name, and nghttp2's encoder walked them
 *  all on every response (measured: ~5 us of CPU per response, paired, on a bare HTTP/2 server). */
const NEVER_INDEXED: readonly string[] = Object.freeze(['x-request-id']);

/**
 * Sends a response head on its HTTP/2 stream itself, as the compat API's writeHead would, but:
 * without that API's per-field checks (a relayed head was checked by undici's parser and
 * h2-response-headers.ts, and the proxy makes its own), with the request id never indexed, and
 * without asking for trailers (the compat API always does, which costs every response a trailer
 * round and an empty frame; the proxy relays none). The response object goes on as usual (write,
 * end, close). `headers`: as h2ResponseHeaderObject makes them (changed here). Returns what
 * node:http2 threw, with nothing sent; null when sent, or when the stream is gone already (as the
 * compat API does). respond.ts writeHeadOrUndo sends every head the proxy writes this way.
 */
export function respondOnStream(res: ServerResponse, stream: ServerHttp2Stream, status: number, headers: OutgoingHttpHeaders): Error | null {
  if (stream.destroyed || stream.closed) return null;
  headers[':status'] = status;
  (headers as Record<symbol, unknown>)[sensitiveHeaders] = NEVER_INDEXED;
  try {
    // Every option named, false or not: respond() copies the options and sets endStream on the
    // copy, and a copy without it took V8's slow path at that store and the two reads after it
    // (measured, paired: ~5% of the proxy's CPU per HTTP/2 request). (sendDate: node:http2
    // honours it as the compat API passes it; its typings omit it.)
    stream.respond(headers, { endStream: false, waitForTrailers: false, sendDate: res.sendDate } as ServerStreamResponseOptions);
    return null;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** An HTTP/2 request whose stream has had END_STREAM, its body read or not (node:http2 says
 *  `complete` only once something reads the empty body of a GET; a body still unread while the
 *  route's gate decides has all arrived, as HTTP/1.1's parser would have said). False for
 *  HTTP/1.1. */
export function h2BodyArrived(req: IncomingMessage): boolean {
  const stream = (req as { stream?: { endAfterHeaders?: boolean; _readableState?: { ended?: boolean } } }).stream;
  return stream !== undefined && (stream.endAfterHeaders === true || stream._readableState?.ended === true);
}
