// Shadow traffic for one request: a copy goes to the route's shadow upstream, and once both the
// primary's and the shadow's answers are complete they are compared off the client's path. The
// client only ever sees the primary: the shadow never delays, fails or holds it, and every buffer
// here is bounded by server.maxBufferBytes (over it: skipped, reason too_large).

import zlib from 'node:zlib';
import type { Dispatcher } from 'undici';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Upstream } from '../forward/pools.js';
import type { ResolvedShadow } from '../routing/table.js';
import { curlFor } from './curl.js';
import { compareResponses, compareOptionsFrom, type Captured, type CompareOptions } from './diff.js';
import { learnNoise, NoiseSet } from './noise.js';
import type { ShadowEvent } from './report.js';
import type { ShadowReports } from './store.js';

export interface MirrorDeps {
  readonly reports: ShadowReports;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

/** Per route (lives in the route state): copies in flight, learned noise, compiled options. */
export class ShadowState {
  inFlight = 0;
  readonly noise = new NoiseSet();
  readonly options: CompareOptions;
  constructor(shadow: ResolvedShadow) {
    this.options = compareOptionsFrom(shadow.compare, { noisePaths: this.noise });
  }
}

export interface MirroredRequest {
  readonly route: string;
  readonly requestId: string;
  readonly method: string;
  /** The client's path with query (for the report and the curl line). */
  readonly clientPath: string;
  readonly host: string | null;
  /** Forwarded headers ([name, value, ...]), as the primary got them. */
  readonly headers: readonly string[];
  /** The path the primary was sent (for the noise probe). */
  readonly primaryPath: string;
  /** The path the shadow is sent. */
  readonly shadowPath: string;
}

const MAX_CODINGS = 2;

/** Raw header buffers (as undici hands them over) as a lower-cased object, repeats joined. */
function headerObject(raw: readonly Buffer[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1').toLowerCase();
    const value = raw[i + 1]!.toString('latin1');
    out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`;
  }
  return out;
}

/** Decodes content-encoding (gzip, deflate, br; at most two codings) with an output cap. */
export function decodeBody(body: Buffer, encoding: string | undefined, cap: number): Buffer | 'too_large' | 'undecodable' {
  if (encoding === undefined || encoding === '' || encoding === 'identity') return body;
  const codings = encoding.split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '' && c !== 'identity');
  if (codings.length > MAX_CODINGS) return 'undecodable';
  let out = body;
  try {
    for (const c of codings.reverse()) {
      const opts = { maxOutputLength: cap };
      if (c === 'gzip' || c === 'x-gzip') out = zlib.gunzipSync(out, opts);
      else if (c === 'deflate') out = zlib.inflateSync(out, opts);
      else if (c === 'br') out = zlib.brotliDecompressSync(out, opts);
      else return 'undecodable';
    }
  } catch (err) {
    return (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? 'too_large' : 'undecodable';
  }
  return out;
}

/** A bounded body collector. */
class Collector {
  readonly #cap: number;
  #chunks: Buffer[] = [];
  #bytes = 0;
  over = false;
  constructor(cap: number) {
    this.#cap = cap;
  }
  add(chunk: Buffer): void {
    if (this.over) return;
    this.#bytes += chunk.length;
    if (this.#bytes > this.#cap) {
      this.over = true;
      this.#chunks = [];
    } else this.#chunks.push(chunk);
  }
  get body(): Buffer {
    return Buffer.concat(this.#chunks, this.#bytes);
  }
}

type CopyResult = { captured: Captured; ms: number } | { error: string };

/**
 * Sends one request to `upstream` and collects its answer, bounded in time and size, through
 * undici's dispatch-handler API like the primary (measured: the request() API's Readable body and
 * async iteration were a large part of the shadow path's cost on the event loop it shares).
 */
function fetchCopy(
  upstream: Upstream,
  path: string,
  method: string,
  headers: string[],
  body: Buffer | null,
  timeoutMs: number,
  cap: number,
  cancel: AbortController,
): Promise<CopyResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    let abort: ((err?: Error) => void) | null = null;
    let settled = false;
    let status = 0;
    let head: Record<string, string> = {};
    const collector = new Collector(cap);
    const settle = (r: CopyResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      cancel.signal.removeEventListener('abort', onCancel);
      resolve(r);
    };
    const stop = (error: string): void => {
      settle({ error });
      abort?.(new Error(error));
    };
    const timer = setTimeout(() => stop('timeout'), timeoutMs);
    const onCancel = (): void => stop('cancelled');
    cancel.signal.addEventListener('abort', onCancel, { once: true });
    upstream.pool.dispatch({ path, method, headers, body }, {
      onConnect(a: (err?: Error) => void) {
        abort = a;
        if (settled) a(new Error('done'));
      },
      onHeaders(statusCode: number, raw: Buffer[]) {
        if (statusCode < 200) return true;
        status = statusCode;
        head = headerObject(raw);
        return true;
      },
      onData(chunk: Buffer) {
        collector.add(chunk);
        if (collector.over) stop('too_large');
        return !collector.over;
      },
      onComplete() {
        settle({ captured: { status, headers: head, body: collector.body }, ms: performance.now() - started });
      },
      onError(err: Error) {
        const code = (err as { code?: string }).code ?? '';
        settle({ error: code === 'ECONNREFUSED' || code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connect_error' : 'reset' });
      },
    } as unknown as Dispatcher.DispatchHandler);
  });
}

/**
 * One mirrored request. The exchange feeds it the primary's answer as it relays it (head, data,
 * end); the request body, if any, is fed as the client sends it.
 */
export class ShadowTask {
  readonly #deps: MirrorDeps;
  readonly #shadow: ResolvedShadow;
  readonly #state: ShadowState;
  readonly #req: MirroredRequest;
  readonly #primaryUpstream: Upstream;
  readonly #cap: number;
  readonly #abort = new AbortController();
  readonly #startedAt = performance.now();
  #primaryStatus = 0;
  #primaryHeaders: Record<string, string> = {};
  readonly #primaryBody: Collector;
  #primaryMs: number | null = null;
  #primaryDone = false;
  #shadowResult: { captured: Captured; ms: number } | { error: string } | null = null;
  #finished = false;
  #probeAnswer: Captured | null = null;

  private constructor(deps: MirrorDeps, shadow: ResolvedShadow, state: ShadowState, req: MirroredRequest, primary: Upstream, cap: number) {
    this.#deps = deps;
    this.#shadow = shadow;
    this.#state = state;
    this.#req = req;
    this.#primaryUpstream = primary;
    this.#cap = cap;
    this.#primaryBody = new Collector(cap);
  }

  /** Starts a mirrored request, or records why not (overload); null when nothing is mirrored. */
  static begin(
    deps: MirrorDeps,
    shadow: ResolvedShadow,
    state: ShadowState,
    req: MirroredRequest,
    primary: Upstream,
    cap: number,
    hasBody: boolean,
  ): ShadowTask | null {
    if (!shadow.methods.includes(req.method)) return null;
    if (shadow.percent < 100 && Math.random() * 100 >= shadow.percent) return null;
    if (state.inFlight >= shadow.maxConcurrent) {
      record(deps, skippedEvent(req, 'overload'));
      return null;
    }
    state.inFlight++;
    const task = new ShadowTask(deps, shadow, state, req, primary, cap);
    if (!hasBody) task.#send(null); // else: requestBody() or requestTooLarge() follows
    return task;
  }

  // the request body (mirrored write methods) --------------------------------------------------

  /** The body, read in full (bounded), is sent to the shadow too. */
  requestBody(body: Buffer): void {
    if (!this.#finished) this.#send(body);
  }

  /** The body is too large to keep for the shadow (or of unknown length): no comparison. */
  requestTooLarge(): void {
    this.#skip('too_large');
  }

  // the primary's answer, as relayed --------------------------------------------------------------

  primaryHead(status: number, raw: readonly Buffer[]): void {
    this.#primaryStatus = status;
    this.#primaryHeaders = headerObject(raw);
  }

  primaryData(chunk: Buffer): void {
    this.#primaryBody.add(chunk);
  }

  /** The exchange ended: `ok` when the whole primary answer reached the client. */
  primaryEnd(ok: boolean): void {
    if (this.#finished) return;
    if (!ok) {
      this.#abort.abort();
      return this.#skip('primary_incomplete');
    }
    this.#primaryMs = performance.now() - this.#startedAt;
    this.#primaryDone = true;
    this.#maybeLearn();
    this.#maybeCompare();
  }

  // -------------------------------------------------------------------------------------------

  #send(body: Buffer | null): void {
    const headers = [...this.#req.headers, 'x-strangler-shadow', '1'];
    void fetchCopy(this.#shadow.upstream, this.#req.shadowPath, this.#req.method, headers, body, this.#shadow.timeoutMs, this.#cap, this.#abort).then(
      (r) => {
        this.#shadowResult = r;
        this.#maybeCompare();
      },
    );
    if (this.#shadow.compare.noiseProbe > 0 && (this.#req.method === 'GET' || this.#req.method === 'HEAD') && Math.random() * 100 < this.#shadow.compare.noiseProbe) {
      this.#probe();
    }
  }

  /** The same request a second time to the primary: what differs between two answers of the monolith is noise. */
  #probe(): void {
    void fetchCopy(this.#primaryUpstream, this.#req.primaryPath, this.#req.method, [...this.#req.headers], null, this.#shadow.timeoutMs, this.#cap, new AbortController()).then(
      (second) => {
        if (!('captured' in second)) return;
        this.#probeAnswer = second.captured;
        this.#maybeLearn();
      },
    );
  }

  /** Once the primary's answer and the probe's are both in. */
  #maybeLearn(): void {
    const second = this.#probeAnswer;
    if (second === null || !this.#primaryDone || this.#primaryBody.over) return;
    this.#probeAnswer = null;
    const first = this.#primaryCaptured();
    const decodedSecond = this.#decoded(second);
    if (first === null || decodedSecond === null) return;
    const learned = this.#state.noise.add(learnNoise(first, decodedSecond, this.#state.options));
    if (learned.length > 0) this.#deps.logger.info({ msg: 'shadow noise learned', route: this.#req.route, paths: learned });
  }

  #decoded(c: Captured): Captured | null {
    const body = decodeBody(c.body, c.headers['content-encoding'] as string | undefined, this.#cap);
    return typeof body === 'string' ? null : { ...c, body };
  }

  #primaryCaptured(): Captured | null {
    return this.#decoded({ status: this.#primaryStatus, headers: this.#primaryHeaders, body: this.#primaryBody.body });
  }

  #maybeCompare(): void {
    if (this.#finished || !this.#primaryDone || this.#shadowResult === null) return;
    const s = this.#shadowResult;
    if ('error' in s) {
      if (s.error === 'too_large') return this.#skip('too_large');
      if (s.error === 'cancelled') return this.#skip('cancelled');
      return this.#finish({ ...this.#base(), result: 'shadow_error', reason: s.error, shadowStatus: null, shadowMs: null });
    }
    if (this.#primaryBody.over) return this.#skip('too_large');
    const primary = this.#primaryCaptured();
    const shadow = this.#decoded(s.captured);
    if (primary === null || shadow === null) {
      const why = [primary, shadow].some((x) => x === null) ? 'undecodable' : 'too_large';
      return this.#skip(why);
    }
    const cmp = compareResponses(primary, shadow, this.#state.options);
    this.#finish({
      ...this.#base(),
      result: cmp.result,
      shadowStatus: s.captured.status,
      shadowMs: s.ms,
      differences: cmp.differences.map((d) => ({ path: d.path, kind: d.kind, primary: d.primary, shadow: d.shadow })),
      noise: cmp.noise.map((d) => ({ path: d.path })),
      // Only a mismatch becomes a sample with a replay line.
      curl: cmp.result === 'mismatch' ? curlFor(this.#req.method, `http://${this.#req.host ?? 'localhost'}${this.#req.clientPath}`, pairs(this.#req.headers)) : null,
    });
  }

  #base(): Omit<ShadowEvent, 'result' | 'shadowStatus'> {
    const r = this.#req;
    return {
      at: new Date().toISOString(),
      route: r.route,
      method: r.method,
      path: r.clientPath,
      primaryStatus: this.#primaryStatus || null,
      primaryMs: this.#primaryMs,
    };
  }

  #skip(reason: string): void {
    this.#finish({ ...this.#base(), result: 'skipped', reason, shadowStatus: null });
  }

  #finish(event: ShadowEvent): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#state.inFlight--;
    record(this.#deps, event);
  }
}

function pairs(flat: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}

function skippedEvent(req: MirroredRequest, reason: string): ShadowEvent {
  return { at: new Date().toISOString(), route: req.route, result: 'skipped', reason, method: req.method, path: req.clientPath, primaryStatus: null, shadowStatus: null };
}

function record(deps: MirrorDeps, event: ShadowEvent): void {
  deps.metrics.shadowComparisons.inc({ route: event.route, result: event.result, reason: event.reason ?? '' });
  deps.reports.record(event);
}
