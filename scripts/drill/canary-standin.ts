// The canary drill's "users" upstream: a small node:http server in the drill process in front of
// the real extracted users service. Until fail() it forwards every request there (one undici
// keep-alive pool) and relays the answer as is; from fail() on it answers every request 500
// itself, as a broken release of the service would. The extracted users service has no switch
// for that, and it is not edited: this stand-in is the switch.
//
// Every answer carries `x-drill-standin: proxied | injected-500 | upstream-error`, so the clients
// can tell which answers came through the canary side; every request that arrives is recorded
// with its arrival time (epoch ms) and its X-Request-Id (the proxy keeps the client's), so the
// drill can prove from this side that no request sent after the halt reached the canary.
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { Pool } from 'undici';
import { epochMs } from './common-clock.js';

export const STANDIN_HEADER = 'x-drill-standin';
export type StandinAnswer = 'proxied' | 'injected-500' | 'upstream-error';

export interface Arrival {
  /** Epoch ms when the request's head arrived. */
  readonly at: number;
  readonly requestId: string | null;
  readonly answer: StandinAnswer;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host']);

export class UsersStandin {
  readonly arrivals: Arrival[] = [];
  /** Epoch ms of fail(); undefined while it forwards. */
  failingSince: number | undefined;
  /** Why forwarding to the users service failed, by message (should stay empty). */
  readonly upstreamErrors = new Map<string, number>();
  #target: string | undefined;
  #pool: Pool | undefined;
  #server: Server | undefined;
  #port = 0;

  get url(): string {
    if (this.#port === 0) throw new Error('the users stand-in is not listening');
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Listens on a free loopback port; forwards to the target once one is set. */
  async listen(): Promise<void> {
    const server = createServer({ keepAliveTimeout: 10_000 }, (req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
  }

  /** The real users service this stand-in forwards to. */
  setTarget(url: string): void {
    this.#target = url;
    this.#pool = new Pool(url, { connections: 64, pipelining: 1, keepAliveTimeout: 10_000 });
  }

  /** From now on every request is answered 500 by the stand-in itself. */
  fail(): number {
    this.failingSince = epochMs();
    return this.failingSince;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (server !== undefined) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await this.#pool?.close().catch(() => undefined);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = epochMs();
    const rid = req.headers['x-request-id'];
    const requestId = typeof rid === 'string' ? rid : null;
    if (this.failingSince !== undefined || this.#pool === undefined) {
      this.arrivals.push({ at, requestId, answer: 'injected-500' });
      req.resume();
      const body = JSON.stringify({ error: 'injected', message: 'the canary drill flipped the users stand-in to answer 500', requestId });
      res.writeHead(500, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), [STANDIN_HEADER]: 'injected-500' });
      res.end(body);
      return;
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    try {
      const up = await this.#pool.request({ path: req.url ?? '/', method: (req.method ?? 'GET') as 'GET', headers, body: hasBody ? req : null, headersTimeout: 5000, bodyTimeout: 5000 });
      const out: OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(up.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
      out[STANDIN_HEADER] = 'proxied';
      this.arrivals.push({ at, requestId, answer: 'proxied' });
      res.writeHead(up.statusCode, out);
      await pipeline(up.body, res);
    } catch (err) {
      const e = err as Error & { code?: string };
      const what = `${this.#target ?? '?'}: ${e.code ?? e.message}`;
      this.upstreamErrors.set(what, (this.upstreamErrors.get(what) ?? 0) + 1);
      if (!res.headersSent) {
        this.arrivals.push({ at, requestId, answer: 'upstream-error' });
        res.writeHead(502, { 'content-type': 'application/json', [STANDIN_HEADER]: 'upstream-error' });
        res.end(JSON.stringify({ error: 'standin_upstream_error', message: what }));
      } else res.destroy();
    }
  }
}
