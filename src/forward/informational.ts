// 1xx responses to the client. Node writes one as raw bytes; on a response still queued behind an
// earlier one on the connection (pipelining) they would be buffered, and the response's own head
// later put in front of them: a 1xx inside a response. So they are written only while the
// response they precede is the one on the wire and its head has not gone out.

import type { ServerResponse } from 'node:http';
import { isHopByHop } from './headers.js';

function onTheWire(res: ServerResponse): boolean {
  return res.socket != null && !res.headersSent && !res.writableEnded;
}

function continueOnceOnTheWire(this: ServerResponse): void {
  if (onTheWire(this)) this.writeContinue();
}

/** The proxy's own `100 Continue`: now, or when the response reaches the wire if still unanswered. */
export function writeContinue(res: ServerResponse): void {
  if (onTheWire(res)) res.writeContinue();
  else if (res.socket === null) res.once('socket', continueOnceOnTheWire);
}

/** Fields a 103 never carries on to the client: hop-by-hop ones, and framing. */
function dropped(lower: string): boolean {
  return isHopByHop(lower) || lower === 'content-length';
}

/** An upstream's `103 Early Hints`, forwarded (RFC 8297) when the response is on the wire; else dropped. */
export function writeEarlyHints(res: ServerResponse, rawHeaders: readonly Buffer[]): void {
  if (!onTheWire(res)) return;
  const hints: Record<string, string | string[]> = {};
  const links: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toString('latin1');
    const lower = name.toLowerCase();
    const value = rawHeaders[i + 1]!.toString('latin1');
    if (lower === 'link') links.push(value);
    else if (!dropped(lower)) hints[name] = value;
  }
  if (links.length === 0) return; // Node writes a 103 only with Link
  hints.link = links;
  try {
    res.writeEarlyHints(hints);
  } catch {
    // A Link value Node refuses to write: hints are optional, the final response follows.
  }
}
