// Shadow traffic for one request: a copy goes to the route's shadow upstream, and once both the
// primary's and the shadow's answers are complete they are compared off the client's path. The
// client only ever sees the primary: the shadow never delays, fails or holds it, and every buffer
// here is bounded by server.maxBufferBytes (over it: skipped, reason too_large).

import zlib from 'node:zlib';
import type { Dispatcher } from 'undici';
import type { Logger } from '../observability/logger.js';
import type { RouteMeters } from '../observability/metrics.js';
import type { Upstream } from '../forward/pools.js';
import type { ResolvedShadow } from '../routing/types.js';
import { curlFor } from './curl.js';
import { compareResponses, compareOptionsFrom, type Captured, type Comparison, type CompareOptions } from './diff.js';
import { learnNoise, NoiseSet } from './noise.js';
import { get, put } from './plain-object.js';
import type { ShadowEvent } from './report.js';
import type { ShadowReports } from './store.js';

export interface MirrorDeps {
  readonly reports: ShadowReports;
  readonly logger: Logger;
}

/**
 * Picks the few response headers a comparison reads (content type and encoding, and the route's
 * `compare.headers`) out of undici's raw header buffers, as a lower-cased object with repeats
 * joined. Names of another length are skipped without becoming strings.
 */
export class HeaderPick {
  readonly #names: ReadonlySet<string>;
  readonly #lengths = new Uint8Array(257);
  constructor(names: Iterable<string>) {
    const set = new Set<string>();
    for (const n of names) {
      const lower = n.toLowerCase();
      set.add(lower);
      this.#lengths[Math.min(lower.length, 256)] = 1;
    }
    this.#names = set;
  }

  pick(raw: readonly Buffer[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const nameBytes = raw[i]!;
      if (this.#lengths[Math.min(nameBytes.length, 256)] === 0) continue;
      const name = nameBytes.toString('latin1').toLowerCase();
      if (!this.#names.has(name)) continue;
      const value = raw[i + 1]!.toString('latin1');
      const before = get(out, name);
      put(out, name, before === undefined ? value : `${before}, ${value}`);
    }
    return out;
  }
}

/** Per route (lives in the route state): copies in flight, learned noise, compiled options. */
export class ShadowState {
  inFlight = 0;
  readonly noise = new NoiseSet();
  readonly options: CompareOptions;
  readonly headers: HeaderPick;
  constructor(shadow: ResolvedShadow) {
    this.options = compareOptionsFrom(shadow.compare, { noisePaths: this.noise });
    this.headers = new HeaderPick(['content-type', 'content-encoding', ...this.options.headers]);
  }
}

export interface MirroredRequest {
  readonly route: string;
  /** The route's metric cells (strangler_shadow_comparisons_total). */
  readonly meters: RouteMeters;
  readonly requestId: string;
  readonly method: string;
  /** The client's path with query (for the report and the curl line). */
  readonly clientPath: string;
  readonly host: string | null;
  /** Forwarded headers ([name, value, ...]), as the primary got them; never changed. */
  readonly headers: readonly string[];
  /** The path the primary was sent (for the noise probe). */
  readonly primaryPath: string;
  /** The path the shadow is sent. */
  readonly shadowPath: string;
}

const MAX_CODINGS = 2;
const EMPTY = Buffer.alloc(0);
const NONE: readonly never[] = Object.freeze([]);
const SHADOW_MARK: readonly string[] = ['x-strangler-shadow', '1'];

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

/** A bounded body collector; a body that came in one chunk is kept as that chunk (no copy). */
class Collector {
  readonly #cap: number;
  #first: Buffer | null = null;
  #more: Buffer[] | null = null;
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
      this.#first = this.#more = null;
    } else if (this.#first === null) this.#first = chunk;
    else (this.#more ??= []).push(chunk);
  }
  get body(): Buffer {
    if (this.#first === null) return EMPTY;
    if (this.#more === null) return this.#first;
    return Buffer.concat([this.#first, ...this.#more], this.#bytes);
  }
}

/** What a copy brought back: the answer as received (not decoded yet), or why there is none. */
type CopyOutcome = { readonly answer: Captured; readonly ms: number } | { readonly error: string };

interface CopySink {
  copyDone(copy: Copy, outcome: CopyOutcome): void;
}

function copyTimedOut(copy: Copy): void {
  copy.stop('timeout');
}

/**
 * One request to `upstream` whose answer is collected, bounded in time and size. It is its own
 * undici dispatch handler, like the primary's exchange: no promise, stream, closure or abort
 * signal per copy (measured: each of those showed in the primary's p99 through the garbage
 * collector, since copies share the event loop and heap with the primary).
 */
class Copy {
  readonly #sink: CopySink;
  readonly #pick: HeaderPick;
  readonly #body: Collector;
  readonly #started = performance.now();
  readonly #timer: NodeJS.Timeout;
  #abort: ((err?: Error) => void) | null = null;
  #settled = false;
  #status = 0;
  #headers: Record<string, string> = {};

  constructor(
    sink: CopySink, upstream: Upstream, path: string, method: string, headers: readonly string[], body: Buffer | null,
    timeoutMs: number, cap: number, pick: HeaderPick,
  ) {
    this.#sink = sink;
    this.#pick = pick;
    this.#body = new Collector(cap);
    this.#timer = setTimeout(copyTimedOut, timeoutMs, this);
    upstream.pool.dispatch({ path, method, headers: headers as string[], body }, this as unknown as Dispatcher.DispatchHandler);
  }

  /** Ends the copy now (timeout, too large, cancelled): reported to the sink, the request aborted. */
  stop(error: string): void {
    if (this.#settled) return;
    this.#settle({ error });
    this.#abort?.(new Error(error));
  }

  #settle(outcome: CopyOutcome): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#timer);
    this.#sink.copyDone(this, outcome);
  }

  // undici's dispatch handler ----------------------------------------------------------------

  onConnect(abort: (err?: Error) => void): void {
    this.#abort = abort;
    if (this.#settled) abort(new Error('done'));
  }

  onHeaders(statusCode: number, raw: Buffer[]): boolean {
    if (statusCode < 200) return true;
    this.#status = statusCode;
    this.#headers = this.#pick.pick(raw);
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.#body.add(chunk);
    if (!this.#body.over) return true;
    this.stop('too_large');
    return false;
  }

  onComplete(): void {
    this.#settle({ answer: { status: this.#status, headers: this.#headers, body: this.#body.body }, ms: performance.now() - this.#started });
  }

  onError(err: Error): void {
    const code = (err as { code?: string }).code ?? '';
    this.#settle({ error: code === 'ECONNREFUSED' || code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connect_error' : 'reset' });
  }
}

/**
 * One mirrored request. The exchange feeds it the primary's answer as it relays it (head, data,
 * end); the request body, if any, is fed as the client sends it.
 */
export class ShadowTask implements CopySink {
  readonly #deps: MirrorDeps;
  readonly #shadow: ResolvedShadow;
  readonly #state: ShadowState;
  readonly #req: MirroredRequest;
  readonly #primaryUpstream: Upstream;
  readonly #cap: number;
  readonly #startedAt = performance.now();
  #primaryStatus = 0;
  #primaryHeaders: Record<string, string> = {};
  readonly #primaryBody: Collector;
  #primaryMs: number | null = null;
  #primaryDone = false;
  #copy: Copy | null = null;
  #probe: Copy | null = null;
  #shadowOutcome: CopyOutcome | null = null;
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

  /** Whether this request is mirrored (the route's methods and percent); decided before anything is built. */
  static sampled(shadow: ResolvedShadow, method: string): boolean {
    return shadow.methods.includes(method) && (shadow.percent >= 100 || Math.random() * 100 < shadow.percent);
  }

  /** Starts a sampled request's copy, or records why not (overload) and returns null. */
  static begin(
    deps: MirrorDeps,
    shadow: ResolvedShadow,
    state: ShadowState,
    req: MirroredRequest,
    primary: Upstream,
    cap: number,
    hasBody: boolean,
  ): ShadowTask | null {
    if (state.inFlight >= shadow.maxConcurrent) {
      record(deps, req, skippedEvent(req, 'overload'));
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
    this.#primaryHeaders = this.#state.headers.pick(raw);
  }

  primaryData(chunk: Buffer): void {
    this.#primaryBody.add(chunk);
  }

  /** The exchange ended: `ok` when the whole primary answer reached the client. */
  primaryEnd(ok: boolean): void {
    if (this.#finished) return;
    if (!ok) {
      this.#skip('primary_incomplete');
      this.#copy?.stop('cancelled');
      this.#probe?.stop('cancelled');
      return;
    }
    this.#primaryMs = performance.now() - this.#startedAt;
    this.#primaryDone = true;
    this.#maybeLearn();
    this.#maybeCompare();
  }

  // -------------------------------------------------------------------------------------------

  copyDone(copy: Copy, outcome: CopyOutcome): void {
    if (copy === this.#probe) {
      this.#probe = null;
      if (!('answer' in outcome)) return;
      this.#probeAnswer = outcome.answer;
      this.#maybeLearn();
      return;
    }
    this.#copy = null;
    this.#shadowOutcome = outcome;
    this.#maybeCompare();
  }

  #send(body: Buffer | null): void {
    const r = this.#req;
    const s = this.#shadow;
    this.#copy = new Copy(this, s.upstream, r.shadowPath, r.method, r.headers.concat(SHADOW_MARK), body, s.timeoutMs, this.#cap, this.#state.headers);
    if (s.compare.noiseProbe > 0 && (r.method === 'GET' || r.method === 'HEAD') && Math.random() * 100 < s.compare.noiseProbe) {
      // The same request a second time to the primary: what differs between two answers of the monolith is noise.
      this.#probe = new Copy(this, this.#primaryUpstream, r.primaryPath, r.method, r.headers, null, s.timeoutMs, this.#cap, this.#state.headers);
    }
  }

  /** Once the primary's answer and the probe's are both in. */
  #maybeLearn(): void {
    const second = this.#probeAnswer;
    if (second === null || !this.#primaryDone || this.#primaryBody.over) return;
    this.#probeAnswer = null;
    const first = this.#decoded(this.#primaryCaptured());
    const decodedSecond = this.#decoded(second);
    if (typeof first === 'string' || typeof decodedSecond === 'string') return;
    const learned = this.#state.noise.add(learnNoise(first, decodedSecond, this.#state.options));
    if (learned.length > 0) this.#deps.logger.info({ msg: 'shadow noise learned', route: this.#req.route, paths: learned });
  }

  /** The answer with its body decoded (content-encoding), or why it cannot be. */
  #decoded(c: Captured): Captured | 'too_large' | 'undecodable' {
    const body = decodeBody(c.body, c.headers['content-encoding'] as string | undefined, this.#cap);
    return typeof body === 'string' ? body : body === c.body ? c : { status: c.status, headers: c.headers, body };
  }

  #primaryCaptured(): Captured {
    return { status: this.#primaryStatus, headers: this.#primaryHeaders, body: this.#primaryBody.body };
  }

  #maybeCompare(): void {
    if (this.#finished || !this.#primaryDone || this.#shadowOutcome === null) return;
    const s = this.#shadowOutcome;
    if ('error' in s) {
      if (s.error === 'too_large') return this.#skip('too_large');
      if (s.error === 'cancelled') return this.#skip('cancelled');
      return this.#finish(this.#event('shadow_error', s.error, null, null, undefined, undefined, undefined));
    }
    if (this.#primaryBody.over) return this.#skip('too_large');
    const rawPrimary = this.#primaryCaptured();
    const rawShadow = s.answer;
    let cmp: Comparison;
    if (rawPrimary.headers['content-encoding'] === rawShadow.headers['content-encoding'] && rawPrimary.body.equals(rawShadow.body)) {
      // The same bytes in the same coding decode to the same body: no decoding needed.
      cmp = compareResponses(rawPrimary, rawShadow, this.#state.options);
    } else {
      const primary = this.#decoded(rawPrimary);
      const shadow = this.#decoded(rawShadow);
      if (typeof primary === 'string') return this.#skip(primary);
      if (typeof shadow === 'string') return this.#skip(shadow);
      cmp = compareResponses(primary, shadow, this.#state.options);
    }
    this.#finish(this.#event(
      cmp.result,
      undefined,
      rawShadow.status,
      s.ms,
      cmp.differences.length === 0 ? NONE : cmp.differences.map((d) => ({ path: d.path, kind: d.kind, primary: d.primary, shadow: d.shadow })),
      cmp.noise.length === 0 ? NONE : cmp.noise.map((d) => ({ path: d.path })),
      // Only a mismatch becomes a sample with a replay line.
      cmp.result === 'mismatch' ? curlFor(this.#req.method, `http://${this.#req.host ?? 'localhost'}${this.#req.clientPath}`, pairs(this.#req.headers)) : null,
    ));
  }

  /**
   * The finished comparison's event, as one object literal. Not `{ ...base, ...more }`: measured
   * on Node 20, objects made by spreading were promoted to the old generation by the thousand,
   * and the mark-compacts that followed (5-10 ms each) were most of the primary's p99 with a
   * shadow at 100%.
   */
  #event(
    result: ShadowEvent['result'], reason: string | undefined, shadowStatus: number | null, shadowMs: number | null | undefined,
    differences: ShadowEvent['differences'], noise: ShadowEvent['noise'], curl: string | null | undefined,
  ): ShadowEvent {
    const r = this.#req;
    return {
      at: new Date().toISOString(),
      route: r.route,
      result,
      reason,
      method: r.method,
      path: r.clientPath,
      primaryStatus: this.#primaryStatus || null,
      shadowStatus,
      differences,
      noise,
      primaryMs: this.#primaryMs,
      shadowMs,
      curl,
    };
  }

  #skip(reason: string): void {
    this.#finish(this.#event('skipped', reason, null, undefined, undefined, undefined, undefined));
  }

  #finish(event: ShadowEvent): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#state.inFlight--;
    record(this.#deps, this.#req, event);
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

function record(deps: MirrorDeps, req: MirroredRequest, event: ShadowEvent): void {
  req.meters.shadowResult(event.result, event.reason ?? '');
  deps.reports.record(event);
}
