// The public port over TLS: a tls.Server in front of the public http.Server. It terminates TLS,
// then hands every decrypted socket to the http.Server (`emit('connection')`), so HTTPS requests
// get all the HTTP/1.1 behaviour there is (limits, clientError answers, upgrades and WebSocket,
// 408s) with no second code path. A socket whose ALPN protocol is h2 goes to `h2` instead, and
// h2 is offered only when `h2` is given (the seam for HTTP/2).
//
// The http.Server is never listened on itself; Node starts its connection tracking (the sweep
// behind headersTimeout and requestTimeout, and closeIdleConnections) on its 'listening' event,
// so that event is forwarded from the tls.Server.

import type http from 'node:http';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { rawErrorResponse } from '../errors.js';
import { newRequestId } from '../forward/headers.js';
import type { ResolvedTls } from '../routing/defaults.js';
import { chooseBySni, type SniCandidate } from './sni.js';
import type { TlsPair } from './tls-material.js';

/** The certificates served: the default one (server.tls.cert) and those SNI chooses among. */
export interface TlsMaterial {
  readonly main: TlsPair;
  readonly extra: readonly TlsPair[];
}

export interface TlsFrontOptions {
  readonly httpServer: http.Server;
  readonly material: TlsMaterial;
  readonly minVersion: ResolvedTls['minVersion'];
  /** A TLS handshake not done by then is dropped (a silent client is bounded). */
  readonly handshakeTimeoutMs: number;
  /** Takes the sockets that chose h2 by ALPN; when absent, only http/1.1 is offered. */
  readonly h2?: (socket: tls.TLSSocket) => void;
  /** Told of every failed handshake (a bad client, a scanner): for a debug log line. */
  readonly onTlsClientError?: (err: Error) => void;
}

export interface TlsFront {
  readonly server: tls.Server;
  /** Serves these certificates to every handshake from now on (a replaced certificate file);
   *  throws, serving the previous ones still, when a TLS context of them cannot be built. */
  setMaterial(material: TlsMaterial): void;
}

export function createTlsFront(opts: TlsFrontOptions): TlsFront {
  const { httpServer, minVersion } = opts;
  const contextOf = (pair: TlsPair): tls.SecureContext => tls.createSecureContext({ cert: pair.cert, key: pair.key, minVersion });
  let candidates: SniCandidate<tls.SecureContext>[] = [];
  let fallback: tls.SecureContext;
  const server = tls.createServer({
    cert: opts.material.main.cert,
    key: opts.material.main.key,
    minVersion,
    ALPNProtocols: opts.h2 !== undefined ? ['h2', 'http/1.1'] : ['http/1.1'],
    handshakeTimeout: opts.handshakeTimeoutMs,
    SNICallback: (servername, cb) => cb(null, chooseBySni(servername, candidates, fallback)),
  });
  // Every context is built before any is swapped in: one that cannot be built throws and leaves
  // the served ones as they were.
  const setMaterial = (material: TlsMaterial): void => {
    const main = contextOf(material.main);
    const next = [material.main, ...material.extra].map((pair, i) => ({ names: pair.names, context: i === 0 ? main : contextOf(pair) }));
    // Handshakes without SNI use the server's own context.
    server.setSecureContext({ cert: material.main.cert, key: material.main.key, minVersion });
    candidates = next;
    fallback = main;
  };
  setMaterial(opts.material);

  server.on('secureConnection', (socket: tls.TLSSocket) => {
    if (socket.alpnProtocol === 'h2' && opts.h2 !== undefined) opts.h2(socket);
    else httpServer.emit('connection', socket);
  });
  // A handshake that failed or timed out: the socket is ours to close. (Node reports the
  // handshakeTimeout as tlsClientError and leaves the socket open: a client that never finished
  // its handshake was held until it left.)
  server.on('tlsClientError', (err, socket) => {
    // Plain HTTP sent to the TLS port (an http:// URL): answered in plain HTTP, as nginx does,
    // on the raw connection under the TLS layer, rather than closed without a word.
    const raw = (socket as tls.TLSSocket & { _parent?: Duplex | null })._parent;
    if ((err as NodeJS.ErrnoException).code === 'ERR_SSL_HTTP_REQUEST' && raw?.writable) {
      raw.end(rawErrorResponse('bad_request', 'this port speaks HTTPS: the request was sent in plain HTTP (use an https:// URL)', newRequestId()), () => socket.destroy());
    } else {
      socket.destroy();
    }
    opts.onTlsClientError?.(err);
  });
  server.once('listening', () => httpServer.emit('listening'));
  return { server, setMaterial };
}
