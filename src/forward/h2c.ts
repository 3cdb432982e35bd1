// `Upgrade: h2c` on a plain request (curl --http2 http://...) is ignored (RFC 9110 7.8: a server
// may ignore an Upgrade): the request is served over HTTP/1.1. Node's HTTP server hands any
// request with an Upgrade over to 'upgrade' with its parser already detached, so the server feeds
// the request back in without the upgrade; this file says which requests, and rebuilds the head.
// Pure.

import type { IncomingMessage } from 'node:http';

/** The request asks only for an upgrade to cleartext HTTP/2. */
export function asksForH2c(req: IncomingMessage): boolean {
  const upgrade = req.headers.upgrade;
  return upgrade !== undefined && upgrade.trim().toLowerCase() === 'h2c';
}

/**
 * The request's head as it was parsed, without `Upgrade` and `HTTP2-Settings` (hop-by-hop: never
 * forwarded). The `Connection` field stays: it names only those, so it forwards nothing else. The
 * values were accepted by the strict parser, so they hold no CR or LF.
 */
export function headWithoutUpgrade(req: IncomingMessage): Buffer {
  let head = `${req.method} ${req.url} HTTP/${req.httpVersionMajor}.${req.httpVersionMinor}\r\n`;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (name !== 'upgrade' && name !== 'http2-settings') head += `${raw[i]}: ${raw[i + 1]}\r\n`;
  }
  return Buffer.from(head + '\r\n', 'latin1');
}
