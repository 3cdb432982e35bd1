// WebSocket upgrades through http-proxy-middleware: the same admission (header count, Host
// rules, path normalisation, match), prefixRewrite and forwarding headers as plain requests; one
// access line when the tunnel closes.

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { rawErrorResponse, type ErrorCode } from '../errors.js';
import type { AccessLog } from '../observability/access-log.js';
import type { TableStore } from '../routing/store.js';
import { admit } from './admit.js';
import { refuseSocket } from './respond.js';
import { appendForwardingHeaders, arrivedOverTls } from './headers.js';

const TARGET = Symbol('strangler.upgradeTarget');
const STATUS = Symbol('strangler.upgradeStatus');

type UpgradeRequest = IncomingMessage & { [TARGET]?: string; [STATUS]?: number };

export class UpgradeHandler {
  readonly #store: TableStore;
  readonly #access: AccessLog;
  readonly #proxy;
  readonly #open = new Set<Duplex>();

  constructor(store: TableStore, access: AccessLog) {
    this.#store = store;
    this.#access = access;
    this.#proxy = createProxyMiddleware<UpgradeRequest>({
      target: 'http://127.0.0.1', // replaced per request by `router`
      router: (req) => req[TARGET],
      ws: true,
      xfwd: false,
      changeOrigin: false,
      // on.error replaces the default error responder; the logger plugin stays quiet.
      logger: { info() {}, warn() {}, error() {} },
      on: {
        proxyReqWs: (proxyReq, req) => {
          proxyReq.on('upgrade', () => {
            (req as UpgradeRequest)[STATUS] = 101;
          });
          proxyReq.on('response', (r) => {
            (req as UpgradeRequest)[STATUS] = r.statusCode ?? 502;
          });
        },
        error: (err, req, target) => {
          const socket = target as unknown as Duplex;
          const r = req as UpgradeRequest;
          if (r[STATUS] === undefined && socket.writable) {
            r[STATUS] = 502;
            const id = String(r.headers['x-request-id']);
            socket.end(rawErrorResponse('upstream_unavailable', `upstream failed the upgrade (${(err as { code?: string }).code ?? err.message})`, id));
          } else {
            socket.destroy();
          }
        },
      },
    });
  }

  handle(req: UpgradeRequest, socket: Duplex, head: Buffer): void {
    const startedAt = performance.now();
    const table = this.#store.current;
    const method = req.method!;
    const a = admit(table, req);
    const refuse = (code: ErrorCode, message: string, path: string): void =>
      refuseSocket(socket, code, message, this.#access, { requestId: a.scan.requestId, method, path, startedAt });
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      return refuse('bad_request', `upgrading to '${req.headers.upgrade}' is not supported; only WebSocket upgrades are proxied`, '-');
    }
    if (!a.ok) return refuse(a.code, a.message, a.path);
    const { route, scan } = a;

    // The same end-to-end headers as a plain request (hop-by-hop and Connection-named ones gone),
    // plus the two an upgrade needs. http-proxy sends `req.headers` (lower-cased names).
    const pairs = scan.headers;
    pairs.push('host', route.preserveHost && scan.host !== null ? scan.host : route.upstream.host);
    appendForwardingHeaders(pairs, scan, req.socket.remoteAddress, table.server.trustedProxies, arrivedOverTls(req.socket));
    pairs.push('connection', 'Upgrade', 'upgrade', 'websocket');
    const headers: Record<string, string> = {};
    for (let i = 0; i < pairs.length; i += 2) {
      const name = pairs[i]!.toLowerCase();
      const sep = name === 'cookie' ? '; ' : ', ';
      headers[name] = headers[name] === undefined ? pairs[i + 1]! : `${headers[name]}${sep}${pairs[i + 1]!}`;
    }
    req.headers = headers;
    req.url = route.forwardPath(a.path) + a.search;
    req[TARGET] = route.upstream.origin;

    this.#open.add(socket);
    socket.once('close', () => {
      this.#open.delete(socket);
      this.#access.write(
        {
          requestId: scan.requestId, method, path: a.path, route: route.label, upstream: route.upstream.name,
          status: req[STATUS] ?? 499, bytes: 0, startedAt, error: req[STATUS] === 502 ? 'upstream_unavailable' : null,
        },
        route.meters,
      );
    });
    this.#proxy.upgrade(req, socket as never, head);
  }

  /** Ends every open tunnel (shutdown, after the drain). */
  closeAll(): void {
    for (const s of this.#open) s.destroy();
  }
}
