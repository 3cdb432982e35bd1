// The public port: a plain node:http server with its limits set on purpose (see README, "Server
// limits"). Requests the HTTP parser rejects are answered here with the contract's JSON error:
// 431 for oversized headers, 400 for malformed requests (and for a request line over
// maxHeaderBytes, or an Expect other than 100-continue: the contract has no 414 or 417 code),
// 408 (an extension: request_timeout) when the request does not arrive within the server's
// timeouts. Heads the parser lets through but RFC 9112 refuses (an HTTP version other than 1.x,
// several or invalid Host fields) are refused by the admission prelude (admit.ts), for requests
// and upgrades alike; an HTTP/1.0 request with Transfer-Encoding is refused here (RFC 9112 6.1),
// and `Upgrade: h2c` is ignored (h2c.ts). A parse error in the body of a request already answered
// (a client ending it early) is answered by nothing: the connection is closed.

import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { ErrorCode } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { ROUTE_DEFAULTS, type ResolvedServer } from '../routing/defaults.js';
import type { AccessLog } from '../observability/access-log.js';
import type { ProxyHandler } from './handler.js';
import { clientRequestId, expectationMessage, refuseRequest, refuseSocket, type AccessSink } from './respond.js';
import type { UpgradeHandler } from './upgrade.js';
import { exchangeOf } from './exchange.js';
import { WatchedResponse } from './watched-response.js';
import { gateWaitOf } from './gate-wait.js';
import { asksForH2c, headWithoutUpgrade } from './h2c.js';
import { LOG } from '../observability/log-messages.js';
import { requestLineOverflowed } from './overflow.js';
import { closing } from './early-answer.js';

export function createPublicServer(
  limits: ResolvedServer,
  handler: ProxyHandler,
  upgrades: UpgradeHandler,
  access: AccessLog,
  logger: Logger,
): http.Server {
  const server = http.createServer({
    // Tells a request's exchange when its response closes or idles, without listeners (watched-response.ts).
    ServerResponse: WatchedResponse,
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks headersTimeout and requestTimeout on this sweep (default every 30 s, so a 20 s
    // limit fired at up to 50 s): one sweep over the connections per second at most.
    connectionsCheckingInterval: checkingInterval(limits),
    // We answer a missing Host ourselves, with a JSON body.
    requireHostHeader: false,
    joinDuplicateHeaders: false,
    insecureHTTPParser: false,
  });
  // Node arms a connection's socket timer with server.timeout as each request's head arrives
  // (after the keep-alive timer between requests); at the default idleTimeoutMs the exchange finds
  // it armed already (Exchange.watchClient): no Timeout of its own per request. (With Node's 0 it
  // armed one on every request.) A connection silent this long before its first request is closed
  // too, as after one; headersTimeoutMs, when set, comes first.
  server.timeout = ROUTE_DEFAULTS.idleTimeoutMs;
  // Node would silently drop header fields past maxHeadersCount; we count them and answer 431.
  server.maxHeadersCount = 0;

  // Every request and upgrade is admitted, or refused, by forward/admit.ts; first, requests the
  // parser let through with a framing RFC 9112 refuses, and those behind a connection's last answer.
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse, expectContinue: boolean): void => {
    if (closing.has(req.socket)) return; // bytes after a response that closes the connection: never run
    noteLatest(req.socket, req, res);
    if (req.httpVersionMinor === 0 && req.headers['transfer-encoding'] !== undefined) {
      closing.add(req.socket);
      refuseRequest(req, res, 'bad_request', 'Transfer-Encoding is not allowed in an HTTP/1.0 request', access, true);
      return;
    }
    handler.handle(req, res, expectContinue);
    // Answered at once with a response that ends the connection (a refused head): what the parser
    // reads after it on this connection is never run.
    if (res.writableEnded && (res as { _last?: boolean })._last === true) closing.add(req.socket);
  };
  server.on('request', (req, res) => onRequest(req, res, false));
  server.on('checkContinue', (req, res) => onRequest(req, res, true));
  // Node hands an upgrade's (and a CONNECT's) socket over at once, pipelined responses still ahead
  // of it: each is handled (answered, refused or tunnelled) once those are out, never overtaking
  // them; behind a response that ended the connection (as in onRequest), nothing more is written.
  const whenAnswered = (socket: Duplex, then: () => void): void => {
    if (closing.has(socket) || !socket.writable) return void socket.destroy();
    relayDrainUntilAnswered(socket);
    afterResponses(socket, () => {
      if (closing.has(socket) || !socket.writable) return void socket.destroy();
      then();
    });
  };
  server.on('upgrade', (req, socket: Duplex, head: Buffer) => {
    if (!asksForH2c(req)) return whenAnswered(socket, () => upgrades.handle(req, socket, head));
    // Served as a plain HTTP/1.1 request: its head, without the upgrade, and what followed it are
    // parsed again on the same connection (its early bytes wait in the paused socket meanwhile).
    socket.unshift(Buffer.concat([headWithoutUpgrade(req), head]));
    whenAnswered(socket, () => {
      // A response ahead of it may have armed the keep-alive timer, for a parser that is gone.
      if (socket instanceof net.Socket) socket.setTimeout(0);
      server.emit('connection', socket);
    });
  });
  // An Expect other than 100-continue: Node's own answer is a bare 417; ours is the JSON error.
  server.on('checkExpectation', (req: http.IncomingMessage, res: http.ServerResponse) => {
    closing.add(req.socket); // the answer closes the connection: nothing after it runs
    refuseRequest(req, res, 'bad_request', expectationMessage(req.headers.expect), access, true);
  });
  server.on('connect', (req, socket: Duplex) => {
    whenAnswered(socket, () => refuseRaw(socket, 'bad_request', 'CONNECT tunnels are not proxied', access, req.method ?? 'CONNECT'));
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    // A connection opened and never used (a browser's preconnect, a TCP health check): closed
    // without a word, as nginx does; no 408, no access line, no error in the metrics.
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT' && (socket as net.Socket).bytesRead === 0) {
      socket.destroy();
      return;
    }
    if (answeredMidBody(socket)) {
      // The error is in the body of a request already answered (its client ended it early, say):
      // no request is left to answer; the connection closes once the answers queued are out.
      afterResponses(socket, () => socket.destroy());
      return;
    }
    const inFlight = responseOn(socket);
    if (inFlight === null) {
      answerClientError(err, socket, limits, access, '-');
      return;
    }
    // A response in flight: the error is in a later pipelined request, or in the body of the request
    // being forwarded (a bad chunk, a Transfer-Encoding that does not end in chunked).
    if (inFlight.req.complete) {
      // Pipelined: the earlier responses finish first, then the error answer closes the connection.
      if (!answerLater.has(socket)) {
        answerLater.add(socket);
        afterResponses(socket, () => {
          // Meanwhile the request the error is in may have been answered early (a policy's
          // refusal): then no request is left to answer, and the connection just closes.
          if (answeredMidBody(socket)) return void socket.destroy();
          if (socket.writable) answerClientError(err, socket, limits, access, '-');
        });
      }
      return;
    }
    if (inFlight.headersSent) {
      // Part of the upstream's response already went out: nothing else can be said on this connection.
      socket.destroy();
      return;
    }
    // The request is being forwarded (its exchange writes the one access line, with this code) or
    // waits on its route's gate (which writes it, with the route, and drops its late decision).
    const x = exchangeOf(inFlight);
    const w = x === undefined ? gateWaitOf(inFlight) : undefined;
    const sink: AccessSink =
      x !== undefined ? { write: (line) => x.clientFault(line.error as ErrorCode, line.detail) } : w !== undefined ? { write: (line) => w.answered(line.status, line.error as ErrorCode) } : access;
    answerClientError(err, socket, limits, sink, inFlight.req.method ?? '-', x?.requestId ?? w?.requestId ?? clientRequestId(inFlight.req.headers), x?.route.label ?? w?.route);
    // Closing the connection once the answer is out aborts the upstream request in flight.
    socket.once('finish', () => socket.destroy());
  });
  server.on('error', (err) => logger.error({ msg: LOG.publicServerError, err }));
  // The connections, for the drain (endAfterResponses): one set entry per connection.
  const open = new Set<Duplex>();
  server.on('connection', (socket: Duplex) => {
    if (open.has(socket)) return; // (an h2c request's socket is handed over again)
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  (server as Tracked)[OPEN] = open;
  return server as unknown as http.Server; // (its responses are WatchedResponses: ServerResponses to a caller)
}

const OPEN = Symbol('strangler.openConnections');
type Tracked = http.Server & { [OPEN]?: Set<Duplex> };

/**
 * At the start of the drain, after closeIdleConnections: a connection still answering ends once
 * its last request's response is out (`Connection: close` when its head is still to go, else
 * closed after it), and a request read after that one is never run. Without this, such a
 * connection stayed keep-alive, its client sent the next request on it, and that request was
 * forwarded and then cut off at drainTimeoutMs (and logged as the client's doing), as nginx and
 * Envoy never do: they close HTTP/1 connections after the current request while exiting.
 */
export function endAfterResponses(server: http.Server): void {
  for (const socket of (server as Tracked)[OPEN] ?? []) {
    const res = (socket as Noted)[LATEST_RES];
    if (res === undefined || res.writableFinished) continue; // (idle: closeIdleConnections closed it)
    closing.add(socket);
    if (!res.headersSent) res.shouldKeepAlive = false;
    (res as { _last?: boolean })._last = true; // Node ends the connection when this response finishes
  }
}

/** Often enough to honour headersTimeoutMs (and requestTimeoutMs) to within a second, and no
 *  more often than a tenth of a second: the sweep visits every connection. */
function checkingInterval(limits: Pick<ResolvedServer, 'headersTimeoutMs' | 'requestTimeoutMs'>): number {
  const shortest = Math.min(...[limits.headersTimeoutMs, limits.requestTimeoutMs].filter((ms) => ms > 0), Infinity);
  return Math.max(100, Math.min(1_000, Math.floor(shortest / 4)));
}


/** Sockets whose parse error is answered once the responses in flight finish. */
const answerLater = new WeakSet<Duplex>();

/** The last request run on each connection, and its response, kept as two fields of the socket:
 *  no object and no WeakMap entry per request, and nothing kept but what Node keeps itself. */
const LATEST_REQ = Symbol('strangler.latestRequest');
const LATEST_RES = Symbol('strangler.latestResponse');

type Noted = Duplex & { [LATEST_REQ]?: http.IncomingMessage; [LATEST_RES]?: http.ServerResponse };

function noteLatest(socket: Duplex, req: http.IncomingMessage, res: http.ServerResponse): void {
  (socket as Noted)[LATEST_REQ] = req;
  (socket as Noted)[LATEST_RES] = res;
}

/** The parser is still in the body of the connection's last request, whose response is all written. */
function answeredMidBody(socket: Duplex): boolean {
  const req = (socket as Noted)[LATEST_REQ];
  const res = (socket as Noted)[LATEST_RES];
  return req !== undefined && res !== undefined && !req.complete && res.writableEnded;
}

function responseOn(socket: Duplex): http.ServerResponse | null {
  return (socket as { _httpMessage?: http.ServerResponse | null })._httpMessage ?? null;
}

/**
 * At an upgrade Node detaches its listeners from the socket, 'drain' among them: a response still
 * being written ahead of the upgrade would stall at the socket's high-water mark, forever. Until
 * the responses ahead are out, the socket's 'drain' is passed on to the one being written.
 */
function relayDrainUntilAnswered(socket: Duplex): void {
  if (responseOn(socket) === null) return;
  const relay = (): void => void responseOn(socket)?.emit('drain');
  socket.on('drain', relay);
  afterResponses(socket, () => socket.off('drain', relay));
}

/** Runs `then` once no response is attached to the socket (Node attaches queued ones on 'finish'). */
function afterResponses(socket: Duplex, then: () => void): void {
  const res = responseOn(socket);
  if (res === null) then();
  else res.once('finish', () => afterResponses(socket, then));
}

function answerClientError(
  err: NodeJS.ErrnoException,
  socket: Duplex,
  limits: ResolvedServer,
  access: AccessSink,
  method: string,
  requestId?: string,
  route?: string,
): void {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    refuseRaw(socket, 'request_timeout', 'the request did not arrive in time', access, method, requestId, route);
    return;
  }
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    if (requestLineOverflowed((err as { rawPacket?: Buffer }).rawPacket, limits.maxHeaderBytes)) {
      // RFC 9112 3 says 414; the contract's codes have none for it: a hostile target, 400.
      refuseRaw(socket, 'bad_request', `the request target is too long (the request line exceeds ${limits.maxHeaderBytes} bytes)`, access, method, requestId);
      return;
    }
    refuseRaw(socket, 'headers_too_large', `the request headers exceed ${limits.maxHeaderBytes} bytes`, access, method, requestId);
    return;
  }
  if (err.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') {
    // Node's own answer is 413 too: the parser caps chunk extensions (16 KiB).
    refuseRaw(socket, 'payload_too_large', 'the request body has oversized chunk extensions', access, method, requestId, route);
    return;
  }
  refuseRaw(
    socket,
    'bad_request',
    `malformed HTTP request (${err.code ?? 'parse error'}: ${err.message})`,
    access,
    method,
    requestId,
    route,
  );
}


/** `route`: the route of a request under way the error is in (named in the body). The client is
 *  the connection's peer (the head, and so X-Forwarded-For, could not be read). */
function refuseRaw(socket: Duplex, code: ErrorCode, message: string, access: AccessSink, method: string, requestId?: string, route?: string): void {
  refuseSocket(socket, code, message, access, { method, requestId, route, clientIp: (socket as net.Socket).remoteAddress });
}
