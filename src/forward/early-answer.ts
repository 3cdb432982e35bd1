// An answer that ends before its request's body has all arrived: an upstream's early 413 (nginx's
// client_max_body_size), 404 or 401, or the proxy's own error for an upstream that reset
// mid-upload. RFC 9112 9.6 and RFC 9110 15: a server that answers before reading the whole body
// either reads (and drops) the rest or closes the connection, and should say which.
//
// HTTP/1.x: the body streams to undici, which destroys it once the upstream's answer is complete;
// Node's parser then stops reading the socket, so the client's upload stalled and, at
// keepAliveTimeout, the connection was reset under an answer that said `keep-alive`. Now such an
// answer says `Connection: close`; once it is written the proxy sends its FIN and reads and drops
// what the client still sends (nginx's lingering close), until the client closes, or falls silent
// for LINGER_IDLE_MS, or LINGER_MAX_BYTES or LINGER_MAX_MS are spent: the client's send never
// stalls, and the connection ends with a FIN, never a reset under the unread answer.
// HTTP/2: the stream ends after the answer (h2-stream.ts endUnreadUpload).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { endUnreadUpload, h2StreamOf } from './h2-stream.js';

/** Connections whose last response has been written: requests parsed after it are never run. */
export const closing = new WeakSet<Duplex>();

/** nginx's lingering_timeout: a client silent this long is done sending. */
const LINGER_IDLE_MS = 5_000;
/** nginx's lingering_time: the longest the rest of a body is read after the answer. */
const LINGER_MAX_MS = 30_000;
/** The most bytes read and dropped after the answer. */
const LINGER_MAX_BYTES = 64 * 1024 * 1024;

/** An HTTP/1.x request whose body has not all been read (nearly always false: checked only while
 *  the request is incomplete, and a request without a body is complete once its head is parsed). */
export function bodyUnread(req: IncomingMessage, res: ServerResponse): boolean {
  return !req.complete && h2StreamOf(res) === null && hasBody(req);
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * The answer to a request still incomplete has been ended (its head said `Connection: close`,
 * exchange.ts). HTTP/2: its stream ends. HTTP/1.x, with `linger` (false when the body timed out:
 * nothing to read from a silent client), the rest of the body is read and dropped, bounded, then
 * the connection closes; without, it closes once the answer is out, as Node does.
 */
export function afterEarlyAnswer(req: IncomingMessage, res: ServerResponse, linger: boolean): void {
  if (h2StreamOf(res) !== null) return endUnreadUpload(req, res);
  if (!linger || !hasBody(req)) return;
  // (undici nulls the request's socket when it destroys the body: the response's is the same.)
  const socket = res.socket ?? req.socket;
  if (socket === null || socket.destroyed) return;
  closing.add(socket);
  // Node destroys a `_last` response's socket once it is written, the body's tail unread: a reset.
  (res as { _last?: boolean })._last = false;
  // The parser drops the rest of the body (rather than push it into a request undici destroyed,
  // which stops reading the socket), and reads on.
  (req as { _dump?: () => void })._dump?.();
  socket.resume();
  res.once('finish', () => lingerOn(socket));
}

/** The answer is written: FIN, then what the client still sends is dropped, within the bounds. */
function lingerOn(socket: Duplex & { bytesRead?: number }): void {
  if (socket.destroyed) return;
  socket.end();
  const startedAt = performance.now();
  const from = socket.bytesRead ?? 0;
  let seen = from;
  const timer = setTimeout(() => {
    const read = socket.bytesRead ?? 0;
    if (read === seen || read - from > LINGER_MAX_BYTES || performance.now() - startedAt >= LINGER_MAX_MS) return void socket.destroy();
    seen = read;
    timer.refresh();
  }, LINGER_IDLE_MS);
  socket.once('close', () => clearTimeout(timer));
}
