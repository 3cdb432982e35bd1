// The client's side of one proxied request: it writes the upstream's answer (or the proxy's JSON
// error) to the client's ServerResponse with backpressure, bounds the wait for a response head by
// the route's timeoutMs, stops whatever is sending when the client goes away, and ends exactly
// once, telling its host (the access line, the canary's outcome).
// What sends is an Attempt (a route without policies) or a resilient run (policies/resilient.ts);
// either way the answer reaches the client through relayHead/relayData/relayEnd/relayError.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CompiledRoute } from '../routing/table.js';
import { isWrite, writeFinished, type Upstream } from './pools.js';
import type { Attempt, AttemptListener, ResponseSink } from './attempt.js';
import { responseHeaders } from './headers.js';
import { sendError, writeHeadOrUndo } from './respond.js';
import { h2ResponseHeaderObject } from './h2-response-headers.js';
import { writeEarlyHints } from './informational.js';
import { DRAIN_CUT, failureCode, isErrorCode, STATUS_OF, type ErrorCode, type ProxyFailureCode } from '../errors.js';
import { detailOf, timeoutFailure, UpstreamFailure } from './failure.js';
import { relayableReason, relayableStatus } from './status-line.js';
import { watchUploadSilence } from './upload-silence.js';
import { breakResponse, clientHoldsUp, h2BodyArrived, h2StreamOf } from './h2-stream.js';
import { afterEarlyAnswer, bodyUnread } from './early-answer.js';
import type { AnswerTap, ExchangeEnd, Sending } from './exchange-types.js';
import type { RequestTrace } from '../tracing/request-trace.js';
import { WriteStall } from './write-stall.js';
import { deadlinesOf, type Deadline } from '../util/deadlines.js';
import { WatchedResponse, type ResponseWatcher } from './watched-response.js';

export type { ExchangeEnd, Sending } from './exchange-types.js';

export interface ExchangeHost {
  readonly lifecycle: { readonly draining: boolean; readonly cut?: boolean }; // (handler.ts ProxyState)
  finished(x: Exchange, end: ExchangeEnd): void;
}

const EXCHANGE = Symbol('strangler.exchange');

/** The exchange forwarding the request this response belongs to, if one is under way. */
export function exchangeOf(res: ServerResponse): Exchange | undefined {
  if (res instanceof WatchedResponse) return (res.watcher as Exchange | null) ?? undefined; // (only an Exchange watches)
  return (res as ServerResponse & { [EXCHANGE]?: Exchange })[EXCHANGE];
}

function onResponseClose(this: ServerResponse): void {
  exchangeOf(this)?.responseClosed();
}

/** Node's socket timer (idleTimeoutMs, re-armed by every read and write) fired on this response. */
function onResponseIdle(this: ServerResponse): void {
  exchangeOf(this)?.idle();
}

export class Exchange implements ResponseSink, AttemptListener, ResponseWatcher {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly route: CompiledRoute;
  readonly upstream: Upstream;
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly startedAt: number;
  /** Sent to the route's canary upstream (its outcome feeds the canary's halt window). */
  canary = false;
  /** Where the client reached the proxy (`proto://host`), set only on routes that rewrite Location (preserveHost false). */
  publicOrigin: string | null = null;
  /** Fields every answer relayed to the client gets besides (a rate-limited route's RateLimit fields). */
  extraHeaders: readonly string[] | null = null;
  /** Mirrored to the route's shadow, or recorded (or both): fed the answer as it is relayed (a bounded tee). */
  capture: AnswerTap | null = null;
  /** Wall-clock ms the request arrived (set on a recording route only: a line's `at`). */
  arrivedAt = 0;
  /** Its spans, when server.tracing is on. */
  trace: RequestTrace | null = null;
  /** For the access line: the client's address (trustedProxies applied), the extra attempts sent
   *  (policies/resilient.ts), whether an open breaker refused or diverted the request, and whether
   *  a try was sent again on a connection the upstream closed under it (attempt.ts). */
  clientIp = '';
  /** The first User-Agent field the client sent (the access line's). */
  userAgent: string | undefined = undefined;
  retried = 0;
  retryBudgetExhausted = false;
  breakerOpen = false;
  replays = 0;
  readonly #host: ExchangeHost;
  #sending: Sending | null = null;
  /** timeoutMs's clock, until a response head (util/deadlines.ts: no Timeout per request). */
  #deadline: Deadline | null = null;
  #stall: WriteStall | null = null; // (write-stall.ts: made at the first write the client refuses)
  #status = 0;
  #bytes = 0;
  #done = false;
  /** Set when the client's request turned out malformed mid-body (the server answered it). */
  #fault: { readonly code: ErrorCode; readonly detail: string | undefined } | null = null;
  /** The upstream that answered (the fallback's, when it did). */
  #servedBy: Upstream;
  #upstreamBroke = false;
  /** The client speaks HTTP/2 (its response is the compat API's, over a stream). */
  readonly #h2: boolean;

  constructor(host: ExchangeHost, req: IncomingMessage, res: ServerResponse, route: CompiledRoute, upstream: Upstream,
    requestId: string, method: string, path: string, startedAt: number) {
    this.#host = host;
    this.req = req;
    this.res = res;
    this.route = route;
    this.upstream = upstream;
    this.#servedBy = upstream;
    this.requestId = requestId;
    this.method = method;
    this.path = path;
    this.startedAt = startedAt;
    this.#h2 = h2StreamOf(res) !== null;
    if (isWrite(method)) upstream.writes.started++; // (finished in #end: a noise probe reads both)
  }

  /** Starts the clock (timeoutMs, until a response head) and watches the client; `sending` is stopped by either. */
  begin(sending: Sending): void {
    this.#sending = sending;
    this.#deadline = deadlinesOf(this.route.timeoutMs).add(this);
    this.watchClient();
  }

  /** From now on the client's connection closing, or failing its body, ends this exchange. */
  watchClient(): void {
    // idleTimeoutMs on the client's side is the socket's own timer (HTTP/2: the stream's, the
    // session carrying others): no timer of ours per request.
    const idle = this.route.idleTimeoutMs;
    const res = this.res;
    if (res instanceof WatchedResponse) {
      // The public HTTP/1 server's: it tells its watcher itself (watched-response.ts).
      if (res.watcher === this) return;
      res.watcher = this;
      res.watchesIdle = idle > 0;
      const socket = this.req.socket;
      if (socket.timeout !== idle) socket.setTimeout(idle);
      return;
    }
    const r = res as ServerResponse & { [EXCHANGE]?: Exchange };
    if (r[EXCHANGE] === this) return;
    r[EXCHANGE] = this;
    res.on('close', onResponseClose); // emitted once; 'on' spares once()'s wrapper per request
    if (this.#h2) {
      if (idle > 0) res.setTimeout(idle);
    } else {
      const socket = this.req.socket;
      if (socket.timeout !== idle) socket.setTimeout(idle);
    }
    if (idle > 0) res.on('timeout', onResponseIdle);
  }

  // A silence in the upstream's body is a silence in what is written to the client, so the
  // client's own timer (watchClient: the socket's, an HTTP/2 stream's) bounds it, and idle() says
  // whose silence it was. undici is handed no bodyTimeout (its pool's is off), and arms no body
  // timer per response (measured paired: 0.9% of the proxy's CPU per request).

  /** Nothing could be read from or written to the client for idleTimeoutMs. */
  idle(): void {
    if (this.#done) return breakResponse(this.res); // answered, but the client stopped reading the tail: close
    const ms = this.route.idleTimeoutMs;
    if (this.#status === 0) {
      // Waiting for the response head with the request sent: timeoutMs governs (the next write re-arms the timer).
      if (this.req.complete || h2BodyArrived(this.req)) return;
      this.#end('request_timeout', null, `the request body was silent for ${ms} ms`);
    } else {
      this.#upstreamBroke = !clientHoldsUp(this.res); // (nothing held for the client: the upstream fell silent)
      breakResponse(this.res); // a response under way: broken, never a clean end of a truncated body
      this.#end('idle_timeout', null, this.#upstreamBroke ? `the upstream's body was silent for ${ms} ms` : `nothing could be written to the client for ${ms} ms (it read nothing, or too slowly)`);
    }
    this.#sending?.abort(new UpstreamFailure('cancelled', `the client's connection was silent for ${ms} ms`));
  }

  /** The fallback gets a whole timeoutMs of its own: the first clock stops here. */
  stopTimer(): void {
    this.#deadline?.cancel();
    this.#deadline = null;
  }

  get done(): boolean {
    return this.#done;
  }

  get servedBy(): Upstream {
    return this.#servedBy;
  }

  /** The answer comes from another upstream (the fallback). */
  servedFrom(upstream: Upstream): void {
    if (isWrite(this.method) && upstream.writes !== this.upstream.writes) upstream.writes.started++; // (the fallback's too)
    this.#servedBy = upstream;
  }

  /** Ends the exchange with the proxy's JSON error for this failure. */
  fail(code: ProxyFailureCode, message: string, cause: Error | null): void {
    if (!this.#done) this.#end(code, cause, message);
  }

  /** The client's body did not arrive in time: 408 (an answer under way is broken off instead),
   *  the connection (HTTP/2: the stream) closes, and any upstream request is aborted. */
  requestTimedOut(message: string): void {
    if (this.#done) return;
    if (this.res.headersSent) breakResponse(this.res);
    this.#end('request_timeout', null, message);
    this.#sending?.abort(new UpstreamFailure('cancelled', message));
  }

  /** The client's connection closed: if the exchange is still going, stop the sending. */
  responseClosed(): void {
    if (this.#done) return;
    const cut = this.#host.lifecycle.cut === true; // (the drain timed out: the proxy closed it, not the client)
    const err = new UpstreamFailure('cancelled', cut ? DRAIN_CUT : 'the client closed the connection');
    this.#end(cut ? 'drain_timeout' : 'client_closed', err);
    this.#sending?.abort(err);
  }

  /** The server answered a framing error in the client's body: end, and log, as that. */
  clientFault(code: ErrorCode, detail?: string): void {
    this.#fault = { code, detail };
  }

  /** timeoutMs passed without a response head. */
  deadlinePassed(): void {
    this.#deadline = null;
    if (this.#done || this.#status !== 0) return;
    this.#sending!.abort(timeoutFailure(this.upstream.name, this.route.timeoutMs));
  }

  // AttemptListener, for a route without policies: its one attempt -------------------------------
  attemptHead(): void {}
  attemptFailed(_a: Attempt, failure: UpstreamFailure): void {
    if (!this.#done) this.#end(failureCode(failure.kind), failure, failure.message);
  }

  // ResponseSink: the one path by which an upstream response reaches the client ----------------

  relayHead(statusCode: number, rawHeaders: Buffer[], statusText: string, extra: readonly string[] | null): void {
    if (!relayableStatus(statusCode)) return this.#dropHead(`an invalid status code (${statusCode})`, null);
    this.stopTimer();
    this.#status = statusCode;
    this.capture?.primaryHead(statusCode, rawHeaders);
    const h2 = this.#h2;
    const headers = responseHeaders(rawHeaders, this.requestId, !h2 && (this.#host.lifecycle.draining || bodyUnread(this.req, this.res)));
    if (this.route.rewriteLocation !== null) this.route.rewriteLocation(headers, this.#servedBy.origin, this.publicOrigin);
    if (extra !== null) headers.push(...extra);
    if (this.extraHeaders !== null) headers.push(...this.extraHeaders);
    // HTTP/2 has no reason phrase, and refuses some heads HTTP/1.1 takes (h2-response-headers.ts).
    const refused = h2
      ? writeHeadOrUndo(this.res, statusCode, null, h2ResponseHeaderObject(headers))
      : writeHeadOrUndo(this.res, statusCode, relayableReason(statusCode, statusText), headers);
    if (refused !== null) return this.#dropHead(`a head that cannot be relayed (${refused.message})`, refused);
    const idle = this.route.idleTimeoutMs;
    // (An HTTP/2 request whose stream has ended has no body to fall silent.)
    if (idle > 0 && !this.req.complete && !h2BodyArrived(this.req)) {
      watchUploadSilence(this.req, idle, () => this.idle());
    }
  }

  /** A head no client may be sent (a status like 700 or 099, or one Node refuses to write): 502,
   *  and the upstream's response is dropped. */
  #dropHead(problem: string, cause: Error | null): void {
    const message = `upstream '${this.#servedBy.name}' answered with ${problem}`;
    this.fail('upstream_unavailable', message, cause);
    this.#sending?.abort(new UpstreamFailure('cancelled', message));
  }

  relayEarlyHints(rawHeaders: Buffer[]): void {
    if (!this.#done) writeEarlyHints(this.res, rawHeaders);
  }

  replayed(): void {
    this.replays++;
  }

  relayData(chunk: Buffer, resume: () => void): boolean {
    if (this.#done) return false;
    this.#bytes += chunk.length;
    this.capture?.primaryData(chunk);
    if (this.res.write(chunk)) return true;
    (this.#stall ??= new WriteStall(this.res, this.route.idleTimeoutMs, this)).wait(resume);
    return false;
  }

  relayEnd(): void {
    if (this.#done) return;
    this.res.end();
    this.#end(null, null);
  }

  relayError(err: Error): void {
    if (this.#done) return;
    // Mid-body failure: the client must see a broken response, never a truncated "complete" one.
    breakResponse(this.res, err);
    this.#upstreamBroke = true;
    this.#end('upstream_aborted', err); // (a silent body is idle(): no undici body timer is armed)
  }

  // --------------------------------------------------------------------------------------------

  #end(error: ExchangeEnd['error'], cause: Error | null, message?: string): void {
    this.#done = true;
    this.#stall?.stop();
    if (isWrite(this.method)) writeFinished(this.upstream, this.#servedBy);
    this.capture?.primaryEnd(error === null);
    this.stopTimer();
    const said = message ?? cause?.message;
    const detail = error === null ? undefined : detailOf(said, cause);
    if (error !== null && isErrorCode(error) && !this.res.headersSent) { // (an access-only code sends nothing)
      // A request body left unread cannot be followed by another request: the connection closes (early-answer.ts).
      this.#status = sendError(this.res, error, said ?? error, this.requestId, this.route.label, this.#host.lifecycle.draining || error === 'request_timeout' || bodyUnread(this.req, this.res));
    }
    if (!this.req.complete) afterEarlyAnswer(this.req, this.res, error !== 'request_timeout'); // (the client's rest is dropped, or its stream ends)
    if (error === 'client_closed' && this.#fault !== null) {
      this.#host.finished(this, { status: STATUS_OF[this.#fault.code], bytes: 0, error: this.#fault.code, cause, detail: this.#fault.detail ?? detail });
      return;
    }
    const status = (error === 'client_closed' || error === 'drain_timeout') && this.#status === 0 ? 499 : this.#status;
    this.#host.finished(this, { status, bytes: this.#bytes, error, cause, detail, upstreamBroke: this.#upstreamBroke });
  }
}
