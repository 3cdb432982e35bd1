// WebSocket upgrades, through the upstream's undici pool like every other request: the same
// admission (admit.ts, plus GET, HTTP/1.1 and no body), prefixRewrite and upstream headers as
// plain requests, the handshake bounded by the route's timeoutMs. A 101 becomes a tunnel; any
// other answer is relayed and the connection closed; no answer is the JSON error. One access line
// per upgrade: when the tunnel closes (101, with the bytes the upstream sent), or when it ended.
// Tracing on: a server span and a client span for the handshake, both ending with it (at the 101,
// the relayed refusal or the failure): the tunnel's lifetime is not a span's duration.

import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { DRAIN_CUT, failureCode, rawErrorResponse, STATUS_OF, type AccessOnlyCode, type ErrorCode } from '../errors.js';
import type { AccessLog } from '../observability/access-log.js';
import type { TableStore } from '../routing/store.js';
import type { CompiledRoute, RouteTable } from '../routing/table.js';
import { admitUpgrade, type Admitted } from './admit.js';
import type { GateResult } from '../identity/gate.js';
import { answerRefusalRaw, authRequestOf, gateFailure, refusalCode, withoutIdentityHeaders } from './gated.js';
import { clientFieldsOf } from './client-fields.js';
import { UpstreamFailure } from './failure.js';
import { namedHost, upstreamRequestHeaders } from './headers.js';
import { refuseSocket, type AccessSink } from './respond.js';
import { tunnel } from './tunnel.js';
import { UpgradeAttempt, type UpgradeListener } from './upgrade-attempt.js';
import { answerHead, switchingHead } from './upgrade-heads.js';
import type { AttemptSpan, RequestTrace } from '../tracing/request-trace.js';

export class UpgradeHandler {
  readonly #store: TableStore;
  readonly #access: AccessLog;
  /** Client sockets of upgrades in their gate, handshake or tunnel: each with its access line
   *  written (every admitted upgrade writes exactly one, whichever way it ends). */
  readonly #open = new Map<Duplex, Promise<void>>();
  /** closeAll ran: the tunnels still open are the proxy's to end (their lines say drain_timeout). */
  #closing = false;

  constructor(store: TableStore, access: AccessLog) {
    this.#store = store;
    this.#access = access;
  }

  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const startedAt = performance.now();
    const table = this.#store.current;
    const method = req.method!;
    const a = admitUpgrade(table, req);
    if (!a.ok) {
      const client = clientFieldsOf(req, a.scan, table.server.trustedProxies);
      refuseSocket(socket, a.code, a.message, this.#access, { requestId: a.scan.requestId, method, path: a.path, startedAt, ...client });
      return;
    }
    let logged!: () => void;
    this.#open.set(socket, new Promise<void>((resolve) => (logged = resolve)));
    const access: AccessSink = {
      write: (line, meters) => {
        // A tunnel the shutdown closed: the proxy ended it, not either side.
        this.#access.write(this.#closing && line.status === 101 && line.error == null ? { ...line, error: 'drain_timeout', detail: DRAIN_CUT } : line, meters);
        this.#open.delete(socket);
        logged();
      },
    };
    const trace = table.tracing?.request(req, a.route.prefix, a.path, namedHost(a.scan), false) ?? null;
    if (trace !== null) trace.server.setAttribute('strangler.upgrade', req.headers.upgrade!);
    const gate = a.route.gate;
    if (gate === null) return this.#start(req, socket, head, a, table, startedAt, null, trace, access);
    // The same gate as plain requests: auth and rate limits apply to WebSocket upgrades too.
    const aborted = new AbortController();
    const onClose = (): void => aborted.abort();
    socket.once('close', onClose);
    const decided = (r: GateResult): void => {
      socket.off('close', onClose);
      const line = { requestId: a.scan.requestId, method, path: a.path, route: a.route.label, upstream: null, startedAt, bytes: 0, traceId: trace?.traceId ?? null, ...clientFieldsOf(req, a.scan, table.server.trustedProxies) };
      if (aborted.signal.aborted) {
        trace?.end(499, 'client_closed', null);
        return access.write({ ...line, status: 499, error: 'client_closed' }, a.route.meters);
      }
      if (!r.ok) {
        const status = answerRefusalRaw(socket, r, a.scan.requestId, a.route.label);
        trace?.end(status, refusalCode(r), null);
        return access.write({ ...line, status, error: refusalCode(r), detail: r.message }, a.route.meters);
      }
      this.#start(req, socket, head, a, table, startedAt, r.add, trace, access, r.responseHeaders);
    };
    const r = gate.run(authRequestOf(req.headers, method, a, req.socket.remoteAddress, table.server.trustedProxies, trace), aborted.signal);
    if (r instanceof Promise) r.then(decided, (err: unknown) => decided(gateFailure(err)));
    else decided(r);
  }

  /** `extra`: what the gate adds to the answer (a rate limit's RateLimit fields), or null. */
  #start(req: IncomingMessage, socket: Duplex, head: Buffer, a: Admitted, table: RouteTable, startedAt: number, add: readonly string[] | null, trace: RequestTrace | null, access: AccessSink, extra: readonly string[] | null = null): void {
    const { route, scan } = a;
    let headers = upstreamRequestHeaders(scan, route.preserveHost, req.socket.remoteAddress, table.server.trustedProxies);
    if (table.identity.strip !== null) headers = withoutIdentityHeaders(headers, table.identity.strip);
    if (add !== null) headers.push(...add);
    const line = { requestId: scan.requestId, method: req.method!, path: a.path, startedAt, traceId: trace?.traceId ?? null, ...clientFieldsOf(req, scan, table.server.trustedProxies) };
    const u = new Upgrade(socket, head, route, line, access, trace, extra);
    u.start(route.forwardPath(a.path) + a.search, headers, req.headers.upgrade!);
  }

  /** Upgrades in their gate, handshake or tunnel now (strangler_upgrades_open). */
  get open(): number {
    return this.#open.size;
  }

  /** Ends every open tunnel and handshake (shutdown, after the drain); resolves once each has
   *  written its access line (a tunnel's is written when both its sockets have closed). */
  closeAll(): Promise<void> {
    this.#closing = true;
    const lines = [...this.#open.values()];
    for (const s of this.#open.keys()) s.destroy();
    return Promise.all(lines).then(() => undefined);
  }
}

interface LineStart {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly startedAt: number;
  readonly clientIp: string;
  readonly userAgent: string | undefined;
  readonly protocol: string | undefined;
  readonly traceId: string | null;
}

/** One admitted upgrade: its handshake, then its tunnel or the relayed answer. */
class Upgrade implements UpgradeListener {
  readonly #client: Duplex;
  readonly #head: Buffer;
  readonly #route: CompiledRoute;
  readonly #line: LineStart;
  readonly #access: AccessSink;
  readonly #attempt: UpgradeAttempt;
  /** The status of the answer being relayed (0: none yet). */
  #status = 0;
  #bytes = 0;
  #logged = false;
  readonly #trace: RequestTrace | null;
  readonly #span: AttemptSpan | null;
  readonly #extra: readonly string[] | null;

  constructor(client: Duplex, head: Buffer, route: CompiledRoute, line: LineStart, access: AccessSink, trace: RequestTrace | null, extra: readonly string[] | null) {
    this.#trace = trace;
    this.#extra = extra;
    this.#span = trace === null ? null : trace.attempt(route.upstream, { attributes: { 'strangler.upgrade': true } });
    this.#client = client;
    this.#head = head;
    this.#route = route;
    this.#line = line;
    this.#access = access;
    this.#attempt = new UpgradeAttempt(route.upstream, this);
  }

  start(path: string, headers: readonly string[], protocol: string): void {
    this.#client.on('error', () => {});
    this.#client.once('close', this.#clientClosed);
    this.#attempt.send({ path, headers: this.#span === null ? headers : this.#span.headers(headers), protocol, timeoutMs: this.#route.timeoutMs });
  }

  /** The client left during the handshake or the relayed answer. */
  readonly #clientClosed = (): void => {
    this.#log(this.#status === 0 ? 499 : this.#status, 'client_closed');
    this.#attempt.abort(new Error('the client closed the connection'));
  };

  upgraded(rawHeaders: Buffer[], upstream: Duplex): void {
    this.#handshakeEnded(101, null);
    this.#client.off('close', this.#clientClosed);
    this.#client.write(switchingHead(rawHeaders, this.#line.requestId, this.#extra));
    if (this.#head.length > 0) upstream.write(this.#head);
    tunnel(this.#client, upstream, (bytes, idled) => {
      this.#bytes = bytes;
      this.#log(101, idled ? 'idle_timeout' : null, false, idled ? `no byte either way for ${this.#route.idleTimeoutMs} ms` : undefined);
    }, this.#route.idleTimeoutMs);
  }

  answered(statusCode: number, statusText: string, rawHeaders: Buffer[]): void {
    this.#status = statusCode;
    this.#span?.head(statusCode);
    this.#client.write(answerHead(statusCode, statusText, rawHeaders, this.#line.requestId, this.#extra));
    // The answer's body is bounded like any response body: silent (the upstream's side) or
    // unwritable (the client's) for idleTimeoutMs, and the connection closes. The client socket's
    // own timer: any read or write re-arms it.
    const ms = this.#route.idleTimeoutMs;
    if (ms > 0) (this.#client as Duplex & Partial<Pick<Socket, 'setTimeout'>>).setTimeout?.(ms, this.#idle);
  }

  readonly #idle = (): void => {
    this.#log(this.#status, 'idle_timeout', !this.#client.writableNeedDrain); // (nothing held for the client: the upstream fell silent)
    this.#attempt.abort(new UpstreamFailure('cancelled', `the answer was silent for ${this.#route.idleTimeoutMs} ms`));
    this.#client.destroy();
  };

  data(chunk: Buffer, resume: () => void): boolean {
    this.#bytes += chunk.length;
    if (this.#client.write(chunk)) return true;
    this.#client.once('drain', resume);
    return false;
  }

  end(): void {
    this.#log(this.#status, null);
    this.#client.end();
  }

  broken(): void {
    this.#log(this.#status, 'upstream_aborted', true);
    this.#client.destroy();
  }

  failed(failure: UpstreamFailure): void {
    this.#span?.failed(failure.kind, failure.message);
    if (failure.kind === 'cancelled') return; // the client left: logged already
    const code = failureCode(failure.kind);
    this.#log(STATUS_OF[code], code, false, failure.message);
    this.#client.end(rawErrorResponse(code, failure.message, this.#line.requestId));
  }

  /** The spans end with the handshake: at the 101, else with the relayed answer or the failure. */
  #handshakeEnded(status: number, error: string | null): void {
    if (this.#trace === null) return;
    if (status === 101) this.#span!.head(101);
    this.#span!.end();
    this.#trace.end(status, error, this.#route.upstream.name);
  }

  #log(status: number, error: ErrorCode | AccessOnlyCode | null, upstreamBroke = false, detail?: string): void {
    if (this.#logged) return;
    this.#logged = true;
    if (status !== 101) this.#handshakeEnded(status, error);
    const upstream = this.#route.upstream.name;
    this.#access.write({ ...this.#line, route: this.#route.label, upstream, status, bytes: this.#bytes, error, detail, upstreamBroke }, this.#route.meters);
  }
}
