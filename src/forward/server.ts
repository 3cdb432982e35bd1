// The public port: a plain node:http server with its limits set on purpose (see README, "Server
// limits"). Requests the HTTP parser rejects are answered here with the contract's JSON error:
// 431 for oversized headers, 400 for malformed requests, 408 (an extension: request_timeout)
// when the request does not arrive within the server's timeouts.

import http from 'node:http';
import type { Duplex } from 'node:stream';
import { rawErrorResponse, STATUS_OF, type ErrorCode } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { ResolvedServer } from '../routing/defaults.js';
import type { AccessLog, ProxyHandler } from './handler.js';
import { newRequestId } from './headers.js';
import type { UpgradeHandler } from './upgrade.js';

export function createPublicServer(
  limits: ResolvedServer,
  handler: ProxyHandler,
  upgrades: UpgradeHandler,
  access: AccessLog,
  logger: Logger,
): http.Server {
  const server = http.createServer({
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // We answer a missing Host ourselves, with a JSON body.
    requireHostHeader: false,
    joinDuplicateHeaders: false,
    insecureHTTPParser: false,
  });
  // Node would silently drop header fields past maxHeadersCount; we count them and answer 431.
  server.maxHeadersCount = 0;

  server.on('request', (req, res) => handler.handle(req, res));
  server.on('checkContinue', (req, res) => handler.handle(req, res, true));
  server.on('upgrade', (req, socket: Duplex, head: Buffer) => upgrades.handle(req, socket, head));
  server.on('connect', (req, socket: Duplex) => {
    refuseRaw(socket, 'bad_request', 'CONNECT tunnels are not proxied', access, req.method ?? 'CONNECT');
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable || (socket as { _httpMessage?: unknown })._httpMessage) {
      socket.destroy();
      return;
    }
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      refuseRaw(socket, 'request_timeout', 'the request did not arrive in time', access, '-');
      return;
    }
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    refuseRaw(
      socket,
      tooLarge ? 'headers_too_large' : 'bad_request',
      tooLarge
        ? `the request headers exceed ${limits.maxHeaderBytes} bytes`
        : `malformed HTTP request (${err.code ?? 'parse error'}: ${err.message})`,
      access,
      '-',
    );
  });
  server.on('error', (err) => logger.error({ msg: 'public server error', err }));
  return server;
}

function refuseRaw(socket: Duplex, code: ErrorCode, message: string, access: AccessLog, method: string): void {
  const requestId = newRequestId();
  socket.end(rawErrorResponse(code, message, requestId));
  access.write(
    { requestId, method, path: '-', route: null, upstream: null, status: STATUS_OF[code], bytes: 0, startedAt: performance.now(), error: code },
    null,
  );
}
