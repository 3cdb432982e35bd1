// Running a Router on a node:http server: every answer says which app served it
// (X-Served-By), one access-log line per request, and a close() that finishes in bounded time.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Router } from './router.js';

export interface ServeOptions {
  port: number;
  host: string;
  /** The X-Served-By value, e.g. "legacy-monolith". */
  servedBy: string;
  /** Receives one access-log line per request; silent when absent. */
  log?: (line: string) => void;
}

export interface Served {
  server: Server;
  port: number;
  url: string;
  /** Stops accepting, lets in-flight requests finish for up to graceMs, then cuts the rest. */
  close(graceMs?: number): Promise<void>;
}

export async function serve(router: Router, opts: ServeOptions): Promise<Served> {
  const server = createServer((req, res) => {
    const started = process.hrtime.bigint();
    res.setHeader('x-served-by', opts.servedBy);
    if (opts.log) {
      const log = opts.log;
      res.on('close', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const outcome = res.writableFinished ? String(res.statusCode) : 'closed by the client';
        log(`${req.method} ${req.url} ${outcome} ${ms.toFixed(1)}ms`);
      });
    }
    void router.handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return { server, port, url: `http://${host}:${port}`, close: (graceMs) => closeServer(server, graceMs) };
}

function closeServer(server: Server, graceMs = 5000): Promise<void> {
  return new Promise((resolve) => {
    const cutoff = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(cutoff);
      resolve();
    });
    server.closeIdleConnections();
  });
}
