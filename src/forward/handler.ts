// The public port's request listener: one table snapshot, the admission prelude (one header pass,
// one path normalisation, one match), the canary side, the shadow copy, then one send: a single
// Attempt for a route without policies, the same Attempt wrapped by the route's policies
// otherwise. Every request ends in exactly one access-log line and one metric update.

import type { HaltState } from '../canary/halt.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessLog } from '../observability/access-log.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { TableStore } from '../routing/store.js';
import type { CompiledRoute, ResolvedCanary, ResolvedShadow, RouteTable } from '../routing/table.js';
import { ShadowTask, type MirrorDeps } from '../shadow/mirror.js';
import type { ShadowReports } from '../shadow/store.js';
import { canaryInputs, sideFor, type Side } from '../canary/split.js';
import { sendResilient, type Outgoing, type ResilienceDeps } from '../policies/resilient.js';
import { BodyTimedOut, readBodyWithin } from './read-body.js';
import type { RoutePolicies } from '../policies/route-policies.js';
import { systemRandom, type Random } from '../util/clock.js';
import { admit, type Admitted, type Refused } from './admit.js';
import type { AccessOnlyCode, ErrorCode } from '../errors.js';
import { newAttempt } from '../tracing/traced-attempt.js';
import { Exchange, type ExchangeEnd, type ExchangeHost } from './exchange.js';
import { namedHost, sentForwardedProto, upstreamRequestHeaders, type RequestHeadScan } from './headers.js';
import { publicOriginOf } from './location.js';
import { sendError } from './respond.js';
import { writeContinue } from './informational.js';
import { LOG } from '../observability/log-messages.js';
import { LogAggregator } from '../observability/aggregate.js';
import type { GateResult, RouteGate } from '../identity/gate.js';
import { answerRefusal, authRequestOf, gateFailure, refusalCode, withoutIdentityHeaders } from './gated.js';
import { clientFieldsOf, clientIpOf, peerAddressOf, protocolOf } from './client-fields.js';
import type { RequestTrace } from '../tracing/request-trace.js';
import { teeRequestBody, type RouteRecorder } from '../record/recorder.js';
import { AnswerTaps } from './answer-taps.js';
import { GateWait } from './gate-wait.js';

const NO_INPUTS = { key: null, forced: null };
/** The signal a gate without authenticators is handed: nothing of it waits on the client. */
const NEVER_ABORTED = new AbortController().signal;

/** draining: answers close their connections; cut: the drain timed out, the proxy closes them. */
export interface ProxyState { draining: boolean; cut?: boolean }

export interface HandlerDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly shadow: ShadowReports;
  /** The chance behind the canary split (requests without a sticky key) and shadow sampling (default Math.random). */
  readonly random?: Random;
  /** Told when this process halts a route's canary (workers: the primary halts it in the others). */
  readonly onCanaryHalt?: (route: string, halted: HaltState) => void;
  readonly bodies?: ResilienceDeps['bodies']; // (all kept request bodies, bounded)
}

export class ProxyHandler implements ExchangeHost {
  readonly #store: TableStore;
  readonly #state: ProxyState;
  readonly #access: AccessLog;
  readonly #deps: HandlerDeps;
  readonly #random: Random;
  readonly #mirrorDeps: MirrorDeps;

  constructor(store: TableStore, state: ProxyState, access: AccessLog, deps: HandlerDeps) {
    this.#store = store;
    this.#state = state;
    this.#access = access;
    this.#deps = deps;
    this.#random = deps.random ?? systemRandom;
    this.#mirrorDeps = { reports: deps.shadow, logger: deps.logger, random: this.#random, failures: new LogAggregator(deps.logger, { windowMs: 10_000 }) };
  }

  get lifecycle(): ProxyState {
    return this.#state;
  }

  /** `request` listener; also `checkContinue`, with expectContinue = true. */
  handle(req: IncomingMessage, res: ServerResponse, expectContinue = false): void {
    const startedAt = performance.now();
    const table = this.#store.current;
    const a = admit(table, req);
    if (!a.ok) {
      const status = sendError(res, a.code, a.message, a.scan.requestId, undefined, a.close || this.#state.draining);
      const trace = table.tracing?.request(req, null, a.path, namedHost(a.scan), false) ?? null; // (no route: a server span all the same)
      return this.#refused(req, a, null, table, startedAt, trace, status, a.code, a.message);
    }
    if (a.route.gate !== null) return this.#gated(req, res, a, table, startedAt, expectContinue, a.route.gate);
    if (expectContinue) writeContinue(res);
    this.#forward(req, res, a, table, startedAt, null, null);
  }

  /** A route with a rate limit or authenticators: its gate decides before anything is sent (and
   *  before a client that asked for `100 Continue` is told to send its body). */
  #gated(req: IncomingMessage, res: ServerResponse, a: Admitted, table: RouteTable, startedAt: number, expectContinue: boolean, gate: RouteGate): void {
    const arrivedAt = a.route.record?.now() ?? 0; // (a recording's `at`: before the gate's wait)
    // Only authenticators wait on anything a leaving client should cancel (a forward call, a JWKS fetch).
    const aborted = gate.asks ? new AbortController() : null;
    // The server span starts before the gate: a forward-auth subrequest is a client span under it.
    const trace = table.tracing?.request(req, a.route.prefix, a.path, namedHost(a.scan), false) ?? null;
    const r = gate.run(authRequestOf(req.headers, req.method!, a, req.socket.remoteAddress, table.server.trustedProxies, trace), aborted?.signal ?? NEVER_ABORTED);
    if (!(r instanceof Promise)) return this.#decided(req, res, a, table, startedAt, expectContinue, r, trace, arrivedAt); // a local rate limit: no wait
    const client = clientFieldsOf(req, a.scan, table.server.trustedProxies); // (read now: an HTTP/2 stream gone has no address)
    const refused = (status: number, code: ErrorCode | AccessOnlyCode): void => this.#refused(req, a, a.route, table, startedAt, trace, status, code, undefined, client);
    const wait = new GateWait(res, a.scan.requestId, a.route.label, aborted, refused);
    const decided = (d: GateResult): void => {
      const meanwhile = wait.end();
      if (meanwhile === 'waiting') return this.#decided(req, res, a, table, startedAt, expectContinue, d, trace, arrivedAt);
      if (meanwhile === 'answered') return; // (its one line is written)
      res.destroy(); // (the connection may still be open: nothing was answered on it)
      refused(499, 'client_closed');
    };
    r.then(decided, (err: unknown) => decided(gateFailure(err)));
  }

  #decided(req: IncomingMessage, res: ServerResponse, a: Admitted, table: RouteTable, startedAt: number, expectContinue: boolean, r: GateResult, trace: RequestTrace | null, arrivedAt: number): void {
    if (r.ok) {
      if (expectContinue) writeContinue(res);
      return this.#forward(req, res, a, table, startedAt, r, trace, arrivedAt);
    }
    const status = answerRefusal(res, r, a.scan.requestId, a.route.label, this.#state.draining);
    this.#refused(req, a, a.route, table, startedAt, trace, status, refusalCode(r), r.message);
  }

  /** A request answered before anything was sent upstream (no route, the gate's refusal, a client
   *  gone while the gate decided): its server span ends, and its one access line. */
  #refused(req: IncomingMessage, a: Admitted | Refused, route: CompiledRoute | null, table: RouteTable, startedAt: number, trace: RequestTrace | null, status: number, error: ErrorCode | AccessOnlyCode | null,
    detail?: string, client = clientFieldsOf(req, a.scan, table.server.trustedProxies)): void {
    trace?.end(status, error, null);
    this.#access.write(
      {
        requestId: a.scan.requestId, method: req.method!, path: a.path, route: route?.label ?? null, upstream: null, status, bytes: 0, startedAt, error, detail,
        traceId: trace?.traceId ?? null, ...client,
      },
      route?.meters ?? null,
    );
  }

  /** Sends an admitted request on (`gated`: what its route's gate added, or null; `trace`: the
   *  span the gate's work hangs under, or null; `arrivedAt`: its wall-clock arrival, a recording's `at`). */
  #forward(req: IncomingMessage, res: ServerResponse, a: Admitted, table: RouteTable, startedAt: number, gated: Extract<GateResult, { ok: true }> | null, trace: RequestTrace | null, arrivedAt = a.route.record?.now() ?? 0): void {
    const { route, scan } = a;
    const method = req.method!;
    // (HTTP/2: the compat API's socket is a proxy onto the session's; nothing is kept on it.)
    const peer = scan.h2 ? req.socket.remoteAddress : peerAddressOf(req.socket);
    let headers = upstreamRequestHeaders(scan, route.preserveHost, peer, table.server.trustedProxies);
    const strip = table.identity.strip;
    if (strip !== null) headers = withoutIdentityHeaders(headers, strip);
    if (gated !== null && gated.add.length > 0) headers.push(...gated.add);
    const path = route.forwardPath(a.path) + a.search;
    let upstream = route.upstream;
    let policies = route.state.policies;
    let canary = false;
    if (route.canary !== null) {
      canary = this.#canarySide(headers, namedHost(scan), route, route.canary);
      if (canary) {
        upstream = route.canary.upstream;
        policies = route.state.canaryPolicies;
      }
    }
    const x = new Exchange(this, req, res, route, upstream, scan.requestId, method, a.path, startedAt);
    x.arrivedAt = arrivedAt;
    if (route.rewriteLocation !== null) x.publicOrigin = publicOriginOf(sentForwardedProto(scan), namedHost(scan));
    x.canary = canary;
    if (trace !== null && trace.sampled) trace.server.setAttribute('strangler.canary', canary);
    if (table.tracing !== null) {
      x.trace = trace ?? table.tracing.request(req, route.prefix, a.path, namedHost(scan), canary);
      // Not sampled: its one traceparent (flag 00) goes in now, and its attempts are plain ones.
      if (!x.trace.sampled) headers = x.trace.unsampledHeaders(headers);
    }
    x.clientIp = clientIpOf(scan, peer, table.server.trustedProxies);
    x.userAgent = scan.userAgent;
    if (gated !== null) x.extraHeaders = gated.responseHeaders;
    const task = route.shadow !== null && !canary && ShadowTask.sampled(route.shadow, method, this.#random)
      ? this.#mirror(req, route, route.shadow, a, headers, path, table, x.trace)
      : null;
    if (task === null || !scan.hasBody) {
      x.capture = task;
      return this.#send(x, policies, path, headers, scan, null, table);
    }
    // A mirrored write (an explicit opt-in): its body, bounded, is read once and sent to both.
    const length = Number(req.headers['content-length']);
    if (!Number.isInteger(length) || length > table.server.maxBufferBytes) {
      task.requestTooLarge();
      return this.#send(x, policies, path, headers, scan, null, table);
    }
    x.capture = task;
    x.watchClient(); // a client that leaves while its body is read ends the exchange (one access line)
    readBodyWithin(req, length, route.timeoutMs).then(
      (body) => (task.requestBody(body), this.#send(x, policies, path, headers, scan, body, table)),
      // Not all there within timeoutMs (as on a route with policies): 408; the client left: 499. The shadow task ends.
      (err: unknown) => (err instanceof BodyTimedOut ? x.requestTimedOut(err.message) : x.responseClosed()),
    );
  }

  /** The one send: a single Attempt, or the same wrapped by the route's policies. */
  #send(x: Exchange, policies: RoutePolicies | null, path: string, headers: string[], scan: RequestHeadScan, body: Buffer | null, table: RouteTable): void {
    if (policies === null) {
      const attempt = newAttempt(x, x.upstream, x, x);
      x.begin(attempt);
      attempt.send(path, x.method, headers, body ?? (scan.hasBody ? x.req : null));
    } else {
      const out: Outgoing = { path, headers, hasBody: scan.hasBody, hasIdempotencyKey: scan.idempotencyKey, maxBufferBytes: table.server.maxBufferBytes, body };
      sendResilient(x, policies, out, this.#deps);
    }
    // Recording starts once the request is on its way (its body's reader attached): nothing has
    // been answered yet, the answer comes on a later turn.
    if (x.route.record !== null) this.#record(x, x.route.record, path, scan.hasBody, body);
  }

  /** Records a sampled request: its head now, its body and the answer teed as they flow. */
  #record(x: Exchange, rec: RouteRecorder, path: string, hasBody: boolean, body: Buffer | null): void {
    if (x.done || !rec.sampled(x.method, this.#random)) return;
    const req = x.req;
    const capture = rec.begin(x, { requestId: x.requestId, method: x.method, path: req.url ?? x.path, upstreamPath: path, rawHeaders: req.rawHeaders, startedAt: x.startedAt, arrivedAt: x.arrivedAt });
    if (capture === null) return; // the route records maxConcurrent exchanges already
    if (body !== null) capture.requestData(body);
    else if (hasBody) teeRequestBody(req, capture);
    x.capture = x.capture === null ? capture : new AnswerTaps(x.capture, capture);
  }

  /** Starts the shadow copy of a sampled request (null: over the route's maxConcurrent). */
  #mirror(req: IncomingMessage, route: CompiledRoute, shadow: ResolvedShadow, a: Admitted, headers: string[], path: string, table: RouteTable, trace: RequestTrace | null): ShadowTask | null {
    return ShadowTask.begin(
      this.#mirrorDeps,
      shadow,
      route.state.shadow!,
      {
        route: route.label,
        meters: route.meters,
        requestId: a.scan.requestId,
        method: req.method!,
        clientPath: a.path + a.search,
        host: namedHost(a.scan),
        headers, // never changed once built; the shadow's copy adds its marker to a new array
        primaryPath: path,
        shadowPath: route.shadowPath(a.path) + a.search,
        trace,
      },
      route.upstream,
      table.server.maxBufferBytes,
      a.scan.hasBody,
    );
  }

  /** Whether this request goes to the canary (never while halted), read from the headers sent on:
   *  a sticky header an authenticator writes (X-User-Id) is the signed-in user's, never the client's. */
  #canarySide(headers: readonly string[], host: string | null, route: CompiledRoute, c: ResolvedCanary): boolean {
    let side: Side = 'primary';
    if (route.state.canaryHalt?.halted == null) {
      const { key, forced } = c.sticky === null && c.force === null ? NO_INPUTS : canaryInputs(headers, c.sticky, c.force, host);
      const progress = route.state.canaryProgress; // a progressive canary: its live step
      side = sideFor(progress === null ? c.percent : progress.percent, key, forced, this.#random);
    }
    route.meters.canarySide(side);
    return side === 'canary';
  }

  finished(x: Exchange, end: ExchangeEnd): void {
    if (x.route.canary !== null) this.#canaryOutcome(x, end);
    x.trace?.end(end.status, end.error, x.servedBy.name);
    this.#access.write(
      {
        requestId: x.requestId,
        method: x.method,
        path: x.path,
        route: x.route.label,
        upstream: x.servedBy.name,
        status: end.status,
        bytes: end.bytes,
        startedAt: x.startedAt,
        error: end.error,
        detail: end.detail,
        traceId: x.trace?.traceId ?? null,
        clientIp: x.clientIp,
        userAgent: x.userAgent, protocol: protocolOf(x.req),
        // The flags (written only when set): the fallback was sent the request (status and error
        // say how it answered); a shadow copy went out; the canary route's side.
        retried: x.retried, retryBudgetExhausted: x.retryBudgetExhausted,
        fellBack: x.servedBy !== x.upstream, triedUpstream: x.upstream.name,
        shadowed: x.capture?.sent,
        canary: x.route.canary === null ? undefined : x.canary ? 'canary' : 'primary',
        breakerOpen: x.breakerOpen,
        replays: x.replays,
        upstreamBroke: end.upstreamBroke,
      },
      x.route.meters,
    );
  }

  /** An answer counts as failed when it was a 5xx, a proxy error, needed the fallback, or broke off
   *  mid-body. A progressive canary counts both sides (its gates compare them); the halt window
   *  the canary's. */
  #canaryOutcome(x: Exchange, end: ExchangeEnd): void {
    if (end.error === 'client_closed' || end.error === 'drain_timeout') return;
    const failed = end.status >= 500 || x.servedBy !== x.upstream || end.upstreamBroke === true;
    x.route.state.canaryProgress?.record(x.canary, failed, performance.now() - x.startedAt);
    if (!x.canary) return;
    const halted = x.route.state.canaryHalt!.record(failed);
    if (halted === null) return;
    this.#deps.logger.warn({ msg: LOG.canaryHalted, requestId: x.requestId, route: x.route.label, canary: x.upstream.name, primary: x.route.upstream.name, ...halted });
    this.#deps.onCanaryHalt?.(x.route.label, halted);
  }
}
