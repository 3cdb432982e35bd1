// A client that hangs up while its HTTP/2 session's output is held up (it stopped reading, or
// reads slowly, and the socket's send buffer is full), over TLS: node:http2 would never notice.
//
// Why (Node 20, src/node_http2.cc and src/crypto/crypto_tls.cc): a session stops reading its
// socket while a write of its own is in progress (Http2Session::MaybeStopReading), so the
// client's FIN or RST is not read while the send buffer is full. When the client goes, the
// pending write fails (ECONNRESET), but that status is dropped twice: the TLS layer keeps the
// failed write as in progress (TLSWrap returns on an error without clearing it, so every later
// write waits behind it for ever), and the session completes its streams' writes with status 0
// (ClearOutgoing's TODO). The session then writes once more, that write never ends, so reading
// stays stopped: no 'error', 'close' or 'aborted' on the session, socket, stream or response
// until the process stops (or idleTimeoutMs, mislogged as idle_timeout). A bare
// http2.createSecureServer does the same (curl --limit-rate 50k -m 3 on a 20 MB file).
//
// What the proxy does: when a response's write is refused (write-stall.ts, so never for a
// response whose writes all go through), it turns the session's socket reading back on, in a
// check-phase turn after node:http2's own scheduled write (native immediates run before JS
// ones), that is after the session stopped reading for it. The session does not stop it again
// while its flag says stopped (only a completed write clears the flag, and the next refused
// write restarts it). Reading on, a client that went away is seen at once: the read fails
// (ECONNRESET, or EOF), the TLS socket is destroyed, the session with it, and each stream's
// response closes (client_closed, its upstream request aborted). A live client's frames are
// taken as usual (nghttp2 pauses their processing while the write is in progress).

import type { ServerResponse } from 'node:http';
import type { Http2Session } from 'node:http2';
import { h2StreamOf } from './h2-stream.js';

interface StreamHandle {
  readStart?(): number;
}

/** Sessions with a read-on already queued (one per session and turn). */
const queued = new WeakSet<Http2Session>();

/** The response's write was refused: if it is an HTTP/2 response, its session's socket reads on
 *  (queued for after node:http2's write of this turn). Nothing for HTTP/1.x. */
export function readOnWhileHeldUp(res: ServerResponse): void {
  const session = h2StreamOf(res)?.session;
  if (session == null || session.destroyed || queued.has(session)) return;
  queued.add(session);
  setImmediate(readOn, session);
}

function readOn(session: Http2Session): void {
  queued.delete(session);
  if (session.destroyed) return;
  // (session.socket is node:http2's proxy of the socket: it passes `_handle` through. The handle
  // is the one the session consumes: TLSWrap over TLS, the TCP handle for h2c.)
  const handle = (session.socket as unknown as { _handle?: StreamHandle | null })._handle;
  handle?.readStart?.(); // (UV_EALREADY when it reads already: nothing to do)
}
