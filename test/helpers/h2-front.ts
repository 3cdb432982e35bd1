// A TLS front for the h2 tests, in front of an already running plain-HTTP proxy: a tls.Server
// offering h2 and http/1.1 by ALPN, handing h2 sockets to createH2Server's accept() and HTTP/1.1
// sockets to a public http.Server, as bootstrap wires them with server.tls, over a ProxyHandler on
// the running proxy's own table store, lifecycle, metrics and shadow reports. What it adds: the
// h2 server's own clock (rapid-reset windows) and its handle (sessions, closeAll). The wiring
// itself is proven by tls-port-serves-http2-by-alpn-beside-http1.test.ts.

import tls from 'node:tls';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { ProxyHandler } from '../../src/forward/handler.js';
import { createH2Server, type H2Front } from '../../src/forward/h2-server.js';
import { createPublicServer } from '../../src/forward/server.js';
import { UpgradeHandler } from '../../src/forward/upgrade.js';
import { AccessLog } from '../../src/observability/access-log.js';
import { RouteMeters } from '../../src/observability/metrics.js';
import type { Clock, Random } from '../../src/util/clock.js';
import { TestPki } from './pki.js';
import type { TestProxy } from './servers.js';

export interface TlsFront {
  readonly port: number;
  /** https://localhost:PORT (the certificate names localhost and 127.0.0.1). */
  readonly url: string;
  /** The CA that signed the front's certificate (PEM, and its file for curl). */
  readonly ca: string;
  readonly caFile: string;
  readonly h2: H2Front;
  /** The front's TLS sockets open now (the proxy's side of each client connection). */
  readonly sockets: ReadonlySet<Duplex>;
  close(): Promise<void>;
}

export interface FrontOptions {
  /** The rapid-reset window's clock. */
  readonly clock?: Clock;
  readonly random?: Random;
}

export async function startTlsFront(p: TestProxy, opts: FrontOptions = {}): Promise<TlsFront> {
  const pki = new TestPki();
  const leaf = pki.issue({ names: ['localhost', '127.0.0.1'] });
  const { store, lifecycle, metrics, shadow, status } = p.proxy;
  const access = new AccessLog(p.logger, new RouteMeters(metrics, ''), status);
  const handler = new ProxyHandler(store, lifecycle, access, { logger: p.logger, metrics, shadow, random: opts.random });
  const limits = store.current.server;
  const h2 = createH2Server(limits, handler, access, p.logger, { clock: opts.clock });
  const http1 = createPublicServer(limits, handler, new UpgradeHandler(store, access), access, p.logger);
  const sockets = new Set<Duplex>();
  const server = tls.createServer({ cert: leaf.cert, key: leaf.key, ALPNProtocols: ['h2', 'http/1.1'] }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    if (socket.alpnProtocol === 'h2') h2.accept(socket);
    else http1.emit('connection', socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `https://localhost:${port}`,
    ca: pki.ca,
    caFile: pki.caFile,
    h2,
    sockets,
    close: async () => {
      h2.destroyAll();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      pki.cleanup();
    },
  };
}
