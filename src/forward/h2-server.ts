// HTTP/2 on the public port: the TLS front hands over every socket whose ALPN chose `h2`, and each
// request on it goes through the same ProxyHandler as HTTP/1.1 (Node's compat API gives it a
// request and a response with the same surface). The TLS is done already, so this is a plain
// http2 server fed sockets by hand. Bounds: maxConcurrentStreams and the header list size
// (maxHeaderBytes) as SETTINGS; a client resetting more than 200 streams within 10 s is sent
// GOAWAY (ENHANCE_YOUR_CALM) and disconnected (rapid reset, CVE-2023-44487); a session with no
// stream open for keepAliveTimeoutMs (before its first, headersTimeoutMs) is closed; closeAll()
// sends GOAWAY and lets streams finish.

import http2, { constants, type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AccessLog } from '../observability/access-log.js';
import type { Logger } from '../observability/logger.js';
import type { ResolvedServer } from '../routing/defaults.js';
import { systemClock, type Clock } from '../util/clock.js';
import type { ProxyHandler } from './handler.js';
import { breakResponse, closeOnClientReset, h2BodyArrived, resetHere } from './h2-stream.js';
import { exchangeOf } from './exchange.js';
import { gateWaitOf } from './gate-wait.js';
import { ResetWindow } from './reset-window.js';
import { expectationMessage, refuseRequest } from './respond.js';
import { LOG } from '../observability/log-messages.js';
import { LogAggregator } from '../observability/aggregate.js';

export type H2Limits = Pick<ResolvedServer, 'maxConcurrentStreams' | 'maxHeaderBytes' | 'maxHeadersCount' | 'keepAliveTimeoutMs' | 'headersTimeoutMs' | 'requestTimeoutMs'>;

export interface H2Options {
  /** The rapid-reset window's clock (tests). */
  readonly clock?: Clock;
}

/** What the TLS front calls: `accept` for each socket whose `alpnProtocol` is 'h2'. */
export interface H2Front {
  accept(socket: Duplex): void;
  /** Shutdown: GOAWAY to every session; streams under way finish, then each session closes.
   *  Resolves once every session has closed (bound it by the drain timeout, then destroyAll). */
  closeAll(): Promise<void>;
  /** After the drain timeout: every session destroyed at once. */
  destroyAll(): void;
  /** Sessions open now. */
  readonly sessions: number;
}

/**
 * node:http2's own bound on a request's header fields (pseudo-header fields included): past it the
 * stream is reset (RST_STREAM ENHANCE_YOUR_CALM), with no response and no access line. Anything
 * between maxHeadersCount and it reaches the handler, whose JSON 431 HTTP/1.1 clients get too;
 * generous, still bounded (and, once SETTINGS are acknowledged, so is the list's size).
 */
function headerPairsBound(maxHeadersCount: number): number {
  return 4 * maxHeadersCount + 16;
}

export function createH2Server(limits: H2Limits, handler: ProxyHandler, access: AccessLog, logger: Logger, opts: H2Options = {}): H2Front {
  const clock = opts.clock ?? systemClock;
  const sessions = new Set<ServerHttp2Session>();
  const server = http2.createServer({
    settings: {
      maxConcurrentStreams: limits.maxConcurrentStreams,
      maxHeaderListSize: limits.maxHeaderBytes,
      enablePush: false,
    },
    maxHeaderListPairs: headerPairsBound(limits.maxHeadersCount),
    maxSessionMemory: 10, // MB (Node's default, on purpose)
  });
  const serve = (req: Http2ServerRequest, res: Http2ServerResponse, expectContinue: boolean): void => {
    handler.handle(req as unknown as IncomingMessage, res as unknown as ServerResponse, expectContinue);
    // (A request without a body, END_STREAM on its HEADERS, has all arrived: node:http2 says it is
    // complete only once something reads its empty body.)
    if (limits.requestTimeoutMs > 0 && !req.stream.endAfterHeaders && !req.complete) boundRequest(req, res as unknown as ServerResponse, limits.requestTimeoutMs);
  };
  server.on('request', (req, res) => serve(req, res, false));
  server.on('checkContinue', (req, res) => serve(req, res, true));
  server.on('checkExpectation', (req: Http2ServerRequest, res: Http2ServerResponse) => {
    refuseRequest(req, res as unknown as ServerResponse, 'bad_request', expectationMessage(req.headers.expect), access, false);
  });
  server.on('connect', (req: Http2ServerRequest, res: Http2ServerResponse) =>
    refuseRequest(req, res as unknown as ServerResponse, 'bad_request', 'CONNECT tunnels are not proxied', access, false),
  );
  // A client that went away (reset, broken pipe) is no news: HTTP/1.1 drops it silently too.
  // Anything else is said at most once a second per code, with a count, and no stack.
  const sessionErrors = new LogAggregator(logger, { clock });
  server.on('sessionError', (err: NodeJS.ErrnoException) => {
    if (err.code === 'ECONNRESET' || err.code === 'EPIPE') return logger.debug({ msg: LOG.h2SessionError, error: err.message });
    sessionErrors.note('warn', err.code ?? err.name, { msg: LOG.h2SessionError, error: err.message, code: err.code });
  });
  server.on('session', (session: ServerHttp2Session) => {
    sessions.add(session);
    watchSession(session, limits, clock, logger);
    session.once('close', () => sessions.delete(session));
  });

  return {
    accept(socket: Duplex): void {
      server.emit('connection', socket);
    },
    closeAll(): Promise<void> {
      return Promise.all([...sessions].map(closeSession)).then(() => undefined);
    },
    destroyAll(): void {
      for (const s of sessions) s.destroy();
    },
    get sessions(): number {
      return sessions.size;
    },
  };
}

/** server.requestTimeoutMs, as node:http applies it to HTTP/1.1 (node:http2 has no such bound): a
 *  request whose body has not all arrived by then is answered 408 request_timeout (or, with its
 *  answer under way, broken off), and its upstream request aborted. */
function boundRequest(req: Http2ServerRequest, res: ServerResponse, ms: number): void {
  const timer = setTimeout(() => {
    if (req.complete || h2BodyArrived(req as unknown as IncomingMessage)) return;
    const message = `the request did not arrive within requestTimeoutMs (${ms} ms)`;
    const x = exchangeOf(res);
    if (x !== undefined) return x.requestTimedOut(message);
    const wait = gateWaitOf(res); // (not proxied yet: its route's gate deciding)
    if (wait !== undefined) wait.timedOut(message);
    else if (!res.writableEnded) breakResponse(res);
  }, ms);
  const clear = (): void => clearTimeout(timer);
  req.once('end', clear);
  res.once('close', clear);
}

/** GOAWAY, then closed once its streams are done (also when it was closing already). */
function closeSession(session: ServerHttp2Session): Promise<void> {
  return new Promise((resolve) => {
    if (session.destroyed) return resolve();
    session.once('close', () => resolve());
    session.close();
  });
}

/** Idle close (no stream open for keepAliveTimeoutMs; before the first request, for
 *  headersTimeoutMs, as HTTP/1.1 has) and the rapid-reset limit, for one session. */
function watchSession(session: ServerHttp2Session, limits: H2Limits, clock: Clock, logger: Logger): void {
  const resets = new ResetWindow();
  let open = 0;
  let idleTimer: NodeJS.Timeout | null = null;
  const armIdle = (ms: number): void => {
    if (ms > 0) idleTimer = setTimeout(() => session.close(), ms);
  };
  armIdle(limits.headersTimeoutMs > 0 ? limits.headersTimeoutMs : limits.keepAliveTimeoutMs);
  session.once('close', () => {
    if (idleTimer !== null) clearTimeout(idleTimer);
  });
  session.on('stream', (stream: ServerHttp2Stream) => {
    open++;
    closeOnClientReset(stream);
    if (idleTimer !== null) {
      clearTimeout(idleTimer);
      idleTimer = null;
    }
    stream.once('close', () => {
      if (--open === 0 && !session.closed && !session.destroyed) armIdle(limits.keepAliveTimeoutMs);
      if (!resetByClient(stream, session)) return;
      if (!resets.record(clock.now())) return;
      logger.warn({ msg: LOG.h2RapidReset, remoteAddress: session.socket?.remoteAddress });
      session.goaway(constants.NGHTTP2_ENHANCE_YOUR_CALM);
      session.destroy(undefined, constants.NGHTTP2_ENHANCE_YOUR_CALM);
    });
  });
}

/** The client cancelled this stream (RST_STREAM), not the proxy, and not a session going away. */
function resetByClient(stream: ServerHttp2Stream, session: ServerHttp2Session): boolean {
  if (session.destroyed || resetHere(stream)) return false;
  return stream.rstCode !== constants.NGHTTP2_NO_ERROR || stream.aborted;
}
