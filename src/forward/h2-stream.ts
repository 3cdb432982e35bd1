// What a response does differently when it travels on an HTTP/2 stream (the compat API's
// Http2ServerResponse behind the same handler): one request's failure resets its stream, never
// the connection (the session carries other requests), and a reset the proxy makes itself is
// marked, so that only the client's own resets count towards the rapid-reset limit (h2-server.ts).

import { constants, type ServerHttp2Stream } from 'node:http2';
import type { ServerResponse } from 'node:http';

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

/** Resets the stream with `code` (RST_STREAM), marked as the proxy's own reset. */
export function resetStream(stream: ServerHttp2Stream, code: number): void {
  (stream as Marked)[RESET_HERE] = true;
  stream.close(code);
}

/** Breaks a response under way: the client sees it incomplete (HTTP/1.x: the connection closes;
 *  HTTP/2: the stream is reset, INTERNAL_ERROR for a failure, else CANCEL). */
export function breakResponse(res: ServerResponse, err?: Error): void {
  const stream = h2StreamOf(res);
  if (stream === null) res.destroy(err);
  else resetStream(stream, err === undefined ? constants.NGHTTP2_CANCEL : constants.NGHTTP2_INTERNAL_ERROR);
}

/** After this response, the request's stream ends (RST_STREAM NO_ERROR once the response is out,
 *  RFC 9113 8.1): an unread request body stops there, as an HTTP/1.x connection would close. */
export function endStreamAfter(stream: ServerHttp2Stream): void {
  stream.close(constants.NGHTTP2_NO_ERROR);
}
