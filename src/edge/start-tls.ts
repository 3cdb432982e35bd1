// server.tls at start-up: its certificates read and checked, the TLS front built over the public
// http.Server, the expiry gauge set, and the files watched (cert-watch.ts) so a replaced
// certificate is served, with the gauge following it. The caller listens with `server`.

import type http from 'node:http';
import type tls from 'node:tls';
import type { Logger } from '../observability/logger.js';
import { LOG } from '../observability/log-messages.js';
import type { Metrics } from '../observability/metrics.js';
import type { ResolvedServer, ResolvedTls } from '../routing/defaults.js';
import { readTlsMaterial, watchCertificates } from './cert-watch.js';
import { createTlsFront, type TlsMaterial } from './tls-server.js';
import { LogAggregator } from '../observability/aggregate.js';

/** The alert a client sends when it does not accept the certificate it was served. */
const CERTIFICATE_REFUSED = /CERTIFICATE|UNKNOWN_CA/;

/** A silent client's handshake is bounded by this when headersTimeoutMs is 0 (none). */
const HANDSHAKE_TIMEOUT_MS = 20_000;

export interface TlsStartOptions {
  readonly httpServer: http.Server;
  readonly tls: ResolvedTls;
  readonly limits: Pick<ResolvedServer, 'headersTimeoutMs'>;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** How often the certificate files are read (default cert-watch.ts CERT_POLL_MS). */
  readonly certPollMs?: number;
  /** The HTTP/2 seam (tls-server.ts): sockets that chose h2 by ALPN. */
  readonly h2?: (socket: tls.TLSSocket) => void;
}

export interface TlsEdge {
  readonly server: tls.Server;
  /** Stops watching the files (the server is closed by its owner). */
  stopWatching(): void;
}

export async function startTlsEdge(opts: TlsStartOptions): Promise<TlsEdge> {
  const { tls: config, logger, metrics } = opts;
  // Counted by reason; logged at most once a minute per reason, with a count. A client refusing
  // the certificate (an alert about it) is a warning: every browser may be failing. Scanners and
  // the like (a reset, plain HTTP, no shared protocol, a timeout) are info.
  const failures = new LogAggregator(logger, { windowMs: 60_000 });
  const handshakeFailed = (err: NodeJS.ErrnoException): void => {
    const reason = err.code ?? 'other';
    metrics.tlsHandshakeErrors.inc({ reason });
    failures.note(CERTIFICATE_REFUSED.test(reason) ? 'warn' : 'info', reason, { msg: LOG.tlsHandshakeFailed, reason, error: err.message });
  };
  const first = await readTlsMaterial(config);
  if (!first.ok) throw new Error(`server.tls: ${first.problems.map((p) => p.message).join('; ')}`);
  const front = createTlsFront({
    httpServer: opts.httpServer,
    material: first.material,
    minVersion: config.minVersion,
    handshakeTimeoutMs: opts.limits.headersTimeoutMs > 0 ? opts.limits.headersTimeoutMs : HANDSHAKE_TIMEOUT_MS,
    h2: opts.h2,
    onTlsClientError: (err) => handshakeFailed(err as NodeJS.ErrnoException),
  });
  const serve = (material: TlsMaterial): void => {
    metrics.setCertificateExpiries(new Map([material.main, ...material.extra].map((p) => [p.certFile, p.notAfter])));
  };
  serve(first.material);
  const stopWatching = watchCertificates({
    tls: config,
    logger,
    served: first.fingerprint,
    intervalMs: opts.certPollMs,
    onChange: (material) => {
      front.setMaterial(material);
      serve(material);
    },
  });
  return { server: front.server, stopWatching };
}
