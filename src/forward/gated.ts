// What the request path hands a route's identity gate (identity/gate.ts), and how it answers a
// refusal: the gate's request view (the client address: client-fields.ts), the
// identity headers no client may send, and the 401/403/429/503 (or the authenticator's own
// answer) on a live response or a raw upgrade socket.

import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { rawErrorResponse, rawResponse, STATUS_OF, type ErrorCode } from '../errors.js';
import type { GateResult } from '../identity/gate.js';
import type { AuthRequest } from '../identity/types.js';
import type { Admitted } from './admit.js';
import type { RequestTrace } from '../tracing/request-trace.js';
import { namedHost, sentForwardedProto } from './headers.js';
import { clientIpOf } from './client-fields.js';
import { sendError } from './respond.js';
import { endStreamAfter, h2StreamOf } from './h2-stream.js';

export type Refusal = Extract<GateResult, { ok: false }>;

export function authRequestOf(headers: IncomingHttpHeaders, method: string, a: Admitted, remoteAddress: string | undefined, trustedProxies: number, trace: RequestTrace | null = null): AuthRequest {
  return {
    header(lower: string): string | null {
      const v = headers[lower];
      return v === undefined ? null : Array.isArray(v) ? (v[0] ?? null) : v;
    },
    method,
    target: a.path + a.search,
    host: namedHost(a.scan),
    proto: sentForwardedProto(a.scan),
    clientIp: clientIpOf(a.scan, remoteAddress, trustedProxies),
    requestId: a.scan.requestId,
    trace,
  };
}

/** The pairs of `headers` whose names are not in `strip` (a new array). A name spelt with
 *  underscores (`X_User_Id`) goes too: CGI, WSGI and PHP servers read it as the same header. */
export function withoutIdentityHeaders(headers: readonly string[], strip: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    const lower = headers[i]!.toLowerCase();
    if (strip.has(lower) || (lower.includes('_') && strip.has(lower.replaceAll('_', '-')))) continue;
    out.push(headers[i]!, headers[i + 1]!);
  }
  return out;
}

/** A gate that threw (a bug, not a decision): 503 auth_unavailable, never open. */
export function gateFailure(err: unknown): Refusal {
  const message = `authentication could not be decided (${err instanceof Error ? err.message : String(err)})`;
  return { ok: false, status: 503, code: 'auth_unavailable', message, headers: [], body: null };
}

/** The access line's error code for a refusal (an authenticator's own answer: by its status). */
export function refusalCode(r: Refusal): ErrorCode | null {
  if (r.code !== null) return r.code;
  return r.status === 401 ? 'unauthorized' : r.status === 403 ? 'forbidden' : null;
}

/** Answers a refusal on a live response; returns the status sent. */
export function answerRefusal(res: ServerResponse, r: Refusal, requestId: string, route: string, close: boolean): number {
  if (r.code !== null) return sendError(res, r.code, r.message, requestId, route, close, r.headers);
  const body = r.body ?? Buffer.alloc(0);
  const headers = [...r.headers, 'content-length', String(body.length), 'x-request-id', requestId];
  const stream = h2StreamOf(res);
  if (close && stream === null) headers.push('connection', 'close');
  res.writeHead(r.status, headers);
  res.end(body);
  if (close && stream !== null) endStreamAfter(stream);
  return r.status;
}

/** Answers a refusal on an upgrade's raw socket, and closes it; returns the status sent. */
export function answerRefusalRaw(socket: Duplex, r: Refusal, requestId: string, route: string): number {
  if (r.code !== null) {
    socket.end(rawErrorResponse(r.code, r.message, requestId, false, r.headers, route));
    return STATUS_OF[r.code];
  }
  const body = r.body ?? Buffer.alloc(0);
  socket.end(rawResponse(r.status, [...r.headers, 'content-length', String(body.length), 'x-request-id', requestId, 'connection', 'close'], body));
  return r.status;
}
