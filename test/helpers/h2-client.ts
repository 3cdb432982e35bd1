// An HTTP/2 client over TLS for the h2 tests: one session, requests as promises of status,
// headers and body.

import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { once } from 'node:events';

export interface H2Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export async function h2Connect(url: string, ca: string): Promise<ClientHttp2Session> {
  const session = http2.connect(url, { ca });
  session.on('error', () => {}); // a test that provokes a GOAWAY looks at the 'goaway' event
  await once(session, 'connect');
  return session;
}

/** One request; `body` (if any) is written and the stream ended. */
export async function h2Request(session: ClientHttp2Session, headers: OutgoingHttpHeaders, body?: Buffer | string): Promise<H2Answer> {
  const req = session.request(headers, { endStream: body === undefined });
  if (body !== undefined) req.end(body);
  const [responseHeaders] = (await once(req, 'response')) as [IncomingHttpHeaders];
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return { status: Number(responseHeaders[':status']), headers: responseHeaders, body: Buffer.concat(chunks) };
}

/** One request, written on a new session ahead of its SETTINGS acknowledgement (so before the
 *  client has learnt the server's limits); the session is destroyed after the answer. */
export async function h2FirstFlight(url: string, ca: string, headers: OutgoingHttpHeaders): Promise<H2Answer> {
  const s = http2.connect(url, { ca });
  s.on('error', () => {});
  try {
    return await h2Request(s, headers);
  } finally {
    s.destroy();
  }
}

export interface H2Outcome {
  /** 0 when no response head came. */
  readonly status: number;
  readonly body: string;
  /** The body ended cleanly (END_STREAM; node:http2 also ends it on a CANCEL reset: see rstCode). */
  readonly ended: boolean;
  readonly rstCode: number | undefined;
}

/** How a request already sent ends, up to its stream's close. Never rejects: a reset is an outcome. */
export function h2Outcome(req: ClientHttp2Stream): Promise<H2Outcome> {
  req.on('error', () => {});
  let status = 0;
  let body = '';
  let ended = false;
  req.on('response', (h) => (status = Number(h[':status'])));
  req.setEncoding('utf8');
  req.on('data', (c: string) => (body += c));
  req.on('end', () => (ended = true));
  return new Promise((resolve) => req.on('close', () => resolve({ status, body, ended, rstCode: req.rstCode })));
}
