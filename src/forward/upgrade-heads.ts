// The response heads an upgrade's client is sent as raw bytes (pure): the upstream's 101, and any
// other answer it gave instead. Headers are made forwardable as for every response (hop-by-hop
// and Connection-named ones gone, X-Request-Id set); the 101 keeps the two an upgrade needs.

import { relayableReason } from './status-line.js';
import { responseHeaders } from './headers.js';

function head(statusCode: number, reason: string, headers: readonly string[]): Buffer {
  let text = `HTTP/1.1 ${statusCode} ${relayableReason(statusCode, reason)}\r\n`;
  for (let i = 0; i < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
  return Buffer.from(text + '\r\n', 'latin1');
}

function upgradeValue(raw: readonly Buffer[]): string {
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.toString('latin1').toLowerCase() === 'upgrade') return raw[i + 1]!.toString('latin1');
  }
  return 'websocket';
}

/** The upstream's `101 Switching Protocols` (undici does not pass its reason phrase on); `extra`:
 *  fields the route's gate adds to every answer it admits (RateLimit, RateLimit-Policy). */
export function switchingHead(raw: readonly Buffer[], requestId: string, extra: readonly string[] | null = null): Buffer {
  const headers = responseHeaders(raw, requestId, false);
  headers.push('connection', 'Upgrade', 'upgrade', upgradeValue(raw));
  if (extra !== null) headers.push(...extra);
  return head(101, 'Switching Protocols', headers);
}

/** A final answer other than 101, relayed as is; its body (undici has removed any chunked framing)
 *  is delimited by its Content-Length or else by the connection closing, which follows anyway. */
export function answerHead(statusCode: number, statusText: string, raw: readonly Buffer[], requestId: string, extra: readonly string[] | null = null): Buffer {
  const headers = responseHeaders(raw, requestId, true);
  if (extra !== null) headers.push(...extra);
  return head(statusCode, statusText, headers);
}
