// The public port's request listener: one table snapshot, one header pass, one path
// normalisation, one match, then one Exchange to the upstream. Every request ends in exactly one
// access-log line and one metric update.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorCode } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { AccessLineWriter, type AccessFields } from '../observability/access-line.js';
import type { RouteMeters } from '../observability/metrics.js';
import { rewritePath } from '../routing/match.js';
import { normalizeTarget } from '../routing/normalize.js';
import type { TableStore } from '../routing/store.js';
import type { CompiledRoute, ResolvedCanary, ResolvedShadow, RouteTable } from '../routing/table.js';
import { ShadowTask, type MirrorDeps } from '../shadow/mirror.js';
import { canaryInputs, sideFor, type Side } from '../canary/split.js';

const NO_INPUTS = { key: null, forced: null };
import { Exchange, type ExchangeEnd, type ExchangeHost } from './exchange.js';
import { appendForwardingHeaders, scanRequestHeaders, type RequestHeadScan } from './headers.js';
import { sendError } from './respond.js';
import { forwardResilient, readBody, type ResilienceDeps } from './resilient.js';

export interface ProxyState {
  draining: boolean;
}

/** An access line before its duration is known: it is measured from `startedAt` when written. */
export interface AccessLine extends Omit<AccessFields, 'durationMs'> {
  readonly startedAt: number;
}

export class AccessLog {
  readonly #lines: AccessLineWriter;
  readonly #unmatched: RouteMeters;

  constructor(logger: Logger, unmatched: RouteMeters) {
    this.#lines = new AccessLineWriter(logger);
    this.#unmatched = unmatched;
  }

  write(line: AccessLine, meters: RouteMeters | null): void {
    const durationMs = performance.now() - line.startedAt;
    (meters ?? this.#unmatched).record(line.upstream ?? '', line.method, line.status, durationMs / 1000);
    this.#lines.write(line.error === null || line.error === 'client_closed' ? 'info' : 'warn', {
      requestId: line.requestId,
      method: line.method,
      path: line.path,
      route: line.route,
      upstream: line.upstream,
      status: line.status,
      bytes: line.bytes,
      durationMs: Math.round(durationMs * 1000) / 1000,
      error: line.error,
    });
  }
}

export class ProxyHandler implements ExchangeHost {
  readonly #store: TableStore;
  readonly #state: ProxyState;
  readonly #access: AccessLog;

  readonly #resilience: ResilienceDeps;
  readonly #mirrorDeps: MirrorDeps;

  constructor(store: TableStore, state: ProxyState, access: AccessLog, resilience: ResilienceDeps) {
    this.#store = store;
    this.#state = state;
    this.#access = access;
    this.#resilience = resilience;
    this.#mirrorDeps = { reports: resilience.shadow, logger: resilience.logger };
  }

  get draining(): boolean {
    return this.#state.draining;
  }

  /** `request` listener; also `checkContinue`, with expectContinue = true. */
  handle(req: IncomingMessage, res: ServerResponse, expectContinue = false): void {
    const startedAt = performance.now();
    const table = this.#store.current;
    const scan = scanRequestHeaders(req.rawHeaders);
    const method = req.method!;

    if (scan.count > table.server.maxHeadersCount) {
      return this.#fail(res, scan, method, '-', startedAt, 'headers_too_large',
        `the request has ${scan.count} header fields; at most ${table.server.maxHeadersCount} are accepted`);
    }
    if (scan.hostProblem !== null) {
      return this.#fail(res, scan, method, '-', startedAt, 'bad_request', scan.hostProblem);
    }
    if (scan.host === null && req.httpVersionMinor === 1) {
      return this.#fail(res, scan, method, '-', startedAt, 'bad_request', 'an HTTP/1.1 request needs a Host header');
    }
    const target = normalizeTarget(req.url!, table.server.escapedSlashes === 'keep');
    if (!target.ok) {
      return this.#fail(res, scan, method, '-', startedAt, 'bad_request', target.reason);
    }
    const route = table.match(method, target.path);
    if (route === undefined) {
      return this.#fail(res, scan, method, target.path, startedAt, 'no_route',
        `no route matches ${method} ${target.path}`);
    }

    if (expectContinue) res.writeContinue();
    const headers = this.#upstreamHeaders(req, scan, route, table);
    const path = rewritePath(target.path, route.prefix, route.prefixRewrite) + target.search;
    let upstream = route.upstream;
    let policies = route.state.policies;
    let canary = false;
    if (route.canary !== null) {
      canary = this.#canarySide(req, route, route.canary);
      if (canary) {
        upstream = route.canary.upstream;
        policies = route.state.canaryPolicies;
      }
    }
    const x = new Exchange(this, req, res, route, upstream, scan.requestId, method, target.path, startedAt);
    x.canary = canary;
    const go = (body: Buffer | null): void => {
      if (policies === null) x.start(path, headers, body ?? (scan.hasBody ? req : null));
      else {
        const r = { path, headers, req, hasBody: scan.hasBody, hasIdempotencyKey: scan.idempotencyKey, maxBufferBytes: table.server.maxBufferBytes, body };
        void forwardResilient(x, route, policies, r, this.#resilience);
      }
    };
    const task = route.shadow !== null && !canary && ShadowTask.sampled(route.shadow, method)
      ? this.#mirror(req, route, route.shadow, scan, headers, path, target, table)
      : null;
    if (task === null || !scan.hasBody) {
      x.capture = task;
      return go(null);
    }
    // A mirrored write (an explicit opt-in): its body, bounded, is read once and sent to both.
    const length = Number(req.headers['content-length']);
    if (!Number.isInteger(length) || length > table.server.maxBufferBytes) {
      task.requestTooLarge();
      return go(null);
    }
    x.capture = task;
    readBody(req, length).then(
      (body) => {
        task.requestBody(body);
        go(body);
      },
      () => task.primaryEnd(false), // the client left while sending it
    );
  }

  /** Starts the shadow copy of a sampled request (null: over the route's maxConcurrent). */
  #mirror(
    req: IncomingMessage, route: CompiledRoute, shadow: ResolvedShadow, scan: RequestHeadScan,
    headers: string[], path: string, target: { path: string; search: string }, table: RouteTable,
  ): ShadowTask | null {
    const task = ShadowTask.begin(
      this.#mirrorDeps,
      shadow,
      route.state.shadow!,
      {
        route: route.prefix,
        meters: route.meters,
        requestId: scan.requestId,
        method: req.method!,
        clientPath: target.path + target.search,
        host: scan.host,
        headers, // never changed once built; the shadow's copy adds its marker to a new array
        primaryPath: path,
        shadowPath: rewritePath(target.path, route.prefix, shadow.prefixRewrite ?? route.prefixRewrite) + target.search,
      },
      route.upstream,
      table.server.maxBufferBytes,
      scan.hasBody,
    );
    return task;
  }

  /** Whether this request goes to the canary (never while the canary is halted). */
  #canarySide(req: IncomingMessage, route: CompiledRoute, c: ResolvedCanary): boolean {
    let side: Side = 'primary';
    if (route.state.canaryHalt?.halted == null) {
      const { key, forced } = c.sticky === null && c.force === null ? NO_INPUTS : canaryInputs(req.rawHeaders, c.sticky, c.force);
      side = sideFor(c.percent, key, forced, Math.random);
    }
    route.meters.canarySide(side);
    return side === 'canary';
  }

  finished(x: Exchange, end: ExchangeEnd): void {
    if (x.canary) this.#canaryOutcome(x, end);
    this.#access.write(
      {
        requestId: x.requestId,
        method: x.method,
        path: x.path,
        route: x.route.prefix,
        upstream: x.servedBy.name,
        status: end.status,
        bytes: end.bytes,
        startedAt: x.startedAt,
        error: end.error,
      },
      x.route.meters,
    );
  }

  /** A canary answer counts as failed when it was a 5xx, a proxy error, or needed the fallback. */
  #canaryOutcome(x: Exchange, end: ExchangeEnd): void {
    if (end.error === 'client_closed') return;
    const failed = end.status >= 500 || x.servedBy !== x.upstream;
    const halted = x.route.state.canaryHalt!.record(failed);
    if (halted === null) return;
    this.#resilience.metrics.canaryHalted.set({ route: x.route.prefix }, 1);
    this.#resilience.logger.warn({ msg: 'canary halted', requestId: x.requestId, route: x.route.prefix, canary: x.upstream.name, primary: x.route.upstream.name, ...halted });
  }

  #upstreamHeaders(req: IncomingMessage, scan: RequestHeadScan, route: CompiledRoute, table: RouteTable): string[] {
    const headers = scan.headers;
    if (route.preserveHost && scan.host !== null) headers.push('host', scan.host);
    return appendForwardingHeaders(headers, scan, req.socket.remoteAddress, table.server.trustedProxies);
  }

  /** A proxy-made error before any route took the request (route: null in the access line). */
  #fail(
    res: ServerResponse,
    scan: RequestHeadScan,
    method: string,
    path: string,
    startedAt: number,
    code: ErrorCode,
    message: string,
  ): void {
    const status = sendError(res, code, message, scan.requestId, undefined, this.#state.draining);
    this.#access.write(
      { requestId: scan.requestId, method, path, route: null, upstream: null, status, bytes: 0, startedAt, error: code },
      null,
    );
  }
}
