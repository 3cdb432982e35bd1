// The upstream's status line as the client may be sent it (pure). Node's writeHead throws on a
// reason phrase with a control byte (or a character undici decoded past latin1), and would relay a
// status like 700 as it is; neither may reach the client.

import { STATUS_CODES } from 'node:http';

/** A final status a client can be sent (RFC 9110 15: three digits, classes 1xx to 5xx). */
export function relayableStatus(statusCode: number): boolean {
  return statusCode >= 100 && statusCode <= 599;
}

/** RFC 9112 4: reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ); empty is allowed too. */
function saneReason(reason: string): boolean {
  for (let i = 0; i < reason.length; i++) {
    const c = reason.charCodeAt(i);
    if (c < 0x20 ? c !== 0x09 : c === 0x7f || c > 0xff) return false;
  }
  return true;
}

/** The upstream's reason phrase when it can be written as sent, else the status's standard one. */
export function relayableReason(statusCode: number, reason: string): string {
  return saneReason(reason) ? reason : (STATUS_CODES[statusCode] ?? '');
}
