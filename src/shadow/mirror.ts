// Shadow traffic for one request: a copy goes to the route's shadow upstream, and once both the
// primary's and the shadow's answers are complete they are compared off the client's path. The
// client only ever sees the primary: the shadow never delays, fails or holds it, and every buffer
// here is bounded by server.maxBufferBytes (over it: skipped, reason too_large).
//
// This file is the task (the primary's answer teed as it is relayed, then the comparison). The
// comparison (and the noise probe's) of a big HTML answer takes several turns of the event loop
// (turns.ts), one slice at a time; it still ends in exactly one event, also when the proxy shuts
// down or the report is reset meanwhile (a step that throws ends it as skipped, compare_failed).
// Its parts: sampling.ts (who is mirrored), copy.ts (one request whose answer is collected),
// body.ts (bounded collection, decoding), header-pick.ts, event.ts (the event of each end),
// state.ts (per route).

import type { Logger } from '../observability/logger.js';
import { BodyCollector, decodeBody } from './body.js';
import { startCopy, type CopyHandle, type CopyOutcome, type CopySink } from './copy.js';
import { bigHtmlPair, compareSteps, type Captured, type Comparison } from './diff.js';
import { comparedEvent, endedEvent, refusedEvent, shadowCopyHeaders, type EventSource, type MirroredRequest } from './event.js';
import type { ShadowEvent } from './log-line.js';
import { learnNoiseSteps } from './noise.js';
import { probesNoise, sampled } from './sampling.js';
import { systemRandom, type Random } from '../util/clock.js';
import type { PrimaryTarget, ShadowSettings, ShadowState } from './state.js';
import type { ShadowReports } from './store.js';
import type { StepsOutcome } from './turns.js';
import { LOG } from '../observability/log-messages.js';
import { endShadowSpan, shadowSpan } from './span.js';
import type { AttemptSpan } from '../tracing/request-trace.js';
import type { LogAggregator } from '../observability/aggregate.js';

export interface MirrorDeps {
  readonly reports: ShadowReports;
  readonly logger: Logger;
  readonly failures?: LogAggregator; // says shadow copies that failed (per route and reason, with a count)
  /** The noise probe's draw (and the caller's sampling draw): Math.random unless a test injects one. */
  readonly random?: Random;
}

/**
 * One mirrored request. The exchange feeds it the primary's answer as it relays it (head, data,
 * end); the request body, if any, is fed as the client sends it.
 */
export class ShadowTask implements CopySink, EventSource {
  readonly #deps: MirrorDeps;
  readonly #shadow: ShadowSettings;
  readonly #state: ShadowState;
  readonly #req: MirroredRequest;
  readonly #primaryPool: PrimaryTarget;
  /** The primary's writes when this request arrived: the noise probe learns only if none came since. */
  readonly #writesMark: number | null;
  readonly #cap: number;
  readonly #startedAt = performance.now();
  #primaryStatus = 0;
  #primaryHeaders: Record<string, string> = {};
  readonly #primaryBody: BodyCollector;
  #primaryMs: number | null = null;
  #primaryDone = false;
  #requestBody: Buffer | null = null;
  #copy: CopyHandle | null = null;
  #probe: CopyHandle | null = null;
  #shadowOutcome: CopyOutcome | null = null;
  #finished = false;
  #probeAnswer: Captured | null = null;
  /** The noise probe's answer is being compared with the primary's (the comparison waits for it). */
  #learning = false;
  #comparing = false;
  #sent = false;
  #span: AttemptSpan | null = null;

  private constructor(deps: MirrorDeps, shadow: ShadowSettings, state: ShadowState, req: MirroredRequest, primary: PrimaryTarget, cap: number) {
    this.#deps = deps;
    this.#shadow = shadow;
    this.#state = state;
    this.#req = req;
    this.#primaryPool = primary;
    this.#writesMark = primary.writes.quietMark();
    this.#cap = cap;
    this.#primaryBody = new BodyCollector(cap);
  }

  /**
   * Whether this request is mirrored (the route's methods and percent); decided before anything
   * is built. `random`: uniform in [0, 1) (pass MirrorDeps.random to make it deterministic).
   */
  static sampled(shadow: Pick<ShadowSettings, 'percent' | 'methods'>, method: string, random: Random = systemRandom): boolean {
    return sampled(shadow, method, random);
  }

  /** Starts a sampled request's copy, or records why not (overload) and returns null. */
  static begin(
    deps: MirrorDeps,
    shadow: ShadowSettings,
    state: ShadowState,
    req: MirroredRequest,
    primary: PrimaryTarget,
    cap: number,
    hasBody: boolean,
  ): ShadowTask | null {
    if (state.inFlight >= shadow.maxConcurrent) {
      record(deps, req, refusedEvent(req, 'overload'));
      return null;
    }
    state.inFlight++;
    const task = new ShadowTask(deps, shadow, state, req, primary, cap);
    if (!hasBody) task.#send(null); // else: requestBody() or requestTooLarge() follows
    return task;
  }

  // EventSource -----------------------------------------------------------------------------------

  get request(): MirroredRequest {
    return this.#req;
  }
  get primaryStatus(): number {
    return this.#primaryStatus;
  }
  get primaryMs(): number | null {
    return this.#primaryMs;
  }
  get primaryOrigin(): string {
    return this.#primaryPool.origin;
  }
  get shadowOrigin(): string {
    return this.#shadow.upstream.origin;
  }

  // the request body (mirrored write methods) --------------------------------------------------

  /** The mirrored request body, once read (null: none). */
  get mirroredBody(): Buffer | null {
    return this.#requestBody;
  }

  /** The copy went out (not for a body too large to keep, or a client gone while it was read). */
  get sent(): boolean {
    return this.#sent;
  }

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

  copyDone(copy: CopyHandle, outcome: CopyOutcome): void {
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
    const pick = this.#state.headers;
    this.#sent = true;
    this.#requestBody = body;
    const span = (this.#span = shadowSpan(r, s.upstream));
    const headers = span === null ? shadowCopyHeaders(r.headers) : span.headers(shadowCopyHeaders(r.headers));
    this.#copy = startCopy(this, s.upstream, r.shadowPath, r.method, headers, body, s.timeoutMs, this.#cap, pick);
    if (probesNoise(s.compare.noiseProbe, r.method, this.#deps.random ?? systemRandom)) {
      // The same request a second time to the primary: what differs between two answers of the monolith is noise.
      this.#probe = startCopy(this, this.#primaryPool, r.primaryPath, r.method, r.headers, null, s.timeoutMs, this.#cap, pick);
    }
  }

  /** Once the primary's answer and the probe's are both in. */
  #maybeLearn(): void {
    const second = this.#probeAnswer;
    if (second === null || !this.#primaryDone || this.#primaryBody.over) return;
    this.#probeAnswer = null;
    // A write to the primary between its two answers (a POST adding to the list being read) may be
    // what differs: a store's change, not noise. Learning it would hide a shadow that lags behind.
    if (!this.#primaryPool.writes.quietSince(this.#writesMark)) return;
    const first = this.#decoded(this.#primaryCaptured());
    const decodedSecond = this.#decoded(second);
    if (typeof first === 'string' || typeof decodedSecond === 'string') return;
    this.#learning = true;
    this.#deps.reports.turns.run(learnNoiseSteps(first, decodedSecond, this.#state.options), (outcome) => {
      this.#learning = false;
      if (outcome.ok) this.#learned(outcome.value);
      else this.#deps.logger.warn({ msg: LOG.shadowCompareFailed, route: this.#req.route, probe: true, err: outcome.error });
      this.#maybeCompare();
    });
  }

  #learned(paths: string[]): void {
    const noise = this.#state.noise;
    const droppedBefore = noise.dropped;
    const learned = noise.add(paths);
    if (learned.length > 0) this.#deps.logger.info({ msg: LOG.shadowNoiseLearned, route: this.#req.route, paths: learned });
    if (noise.dropped > droppedBefore) this.#req.meters.shadowNoiseDropped(noise.dropped - droppedBefore);
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
    if (this.#finished || this.#comparing || this.#learning || !this.#primaryDone || this.#shadowOutcome === null) return;
    const s = this.#shadowOutcome;
    if ('error' in s) {
      if (s.error === 'too_large') return this.#skip('too_large');
      if (s.error === 'cancelled') return this.#skip('cancelled');
      this.#deps.failures?.note('warn', `${this.#req.route}\u0000${s.error}`, { msg: LOG.shadowCopyFailed, route: this.#req.route, upstream: this.#shadow.upstream.name, reason: s.error });
      return this.#finish(endedEvent(this, 'shadow_error', s.error));
    }
    if (this.#primaryBody.over || this.#primaryStatus === 304) return this.#skip(this.#primaryBody.over ? 'too_large' : 'not_modified');
    const rawPrimary = this.#primaryCaptured();
    const rawShadow = s.answer;
    let primary: Captured | string = rawPrimary;
    let shadow: Captured | string = rawShadow;
    // The same bytes in the same coding decode to the same body: no decoding needed.
    if (rawPrimary.headers['content-encoding'] !== rawShadow.headers['content-encoding'] || !rawPrimary.body.equals(rawShadow.body)) {
      primary = this.#decoded(rawPrimary);
      shadow = this.#decoded(rawShadow);
      if (typeof primary === 'string') return this.#skip(primary);
      if (typeof shadow === 'string') return this.#skip(shadow);
    }
    if (this.#deps.reports.turns.full && bigHtmlPair(primary, shadow)) return this.#skip('overload'); // (memory: see Turns.full)
    this.#comparing = true;
    const shadowStatus = rawShadow.status;
    const shadowMs = s.ms;
    // JSON and bytes end within run(); a big HTML answer on later turns.
    const sides: [Captured, Captured] = [primary, shadow];
    this.#deps.reports.turns.run(compareSteps(primary, shadow, this.#state.optionsNow()), (outcome) => this.#compared(outcome, shadowStatus, shadowMs, sides));
  }

  #compared(outcome: StepsOutcome<Comparison>, shadowStatus: number, shadowMs: number, sides: [Captured, Captured]): void {
    if (outcome.ok) {
      const event = comparedEvent(this, outcome.value, shadowStatus, shadowMs);
      // Kept for the dashboard's side-by-side view.
      if (!this.#finished && event.result === 'mismatch') this.#deps.reports.bodies.keep(event, outcome.value.body, ...sides);
      return this.#finish(event);
    }
    this.#deps.logger.warn({ msg: LOG.shadowCompareFailed, route: this.#req.route, err: outcome.error });
    this.#skip('compare_failed');
  }

  #skip(reason: string): void {
    if (!this.#finished) this.#finish(endedEvent(this, 'skipped', reason));
  }

  #finish(event: ShadowEvent): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#state.inFlight--;
    if (this.#span !== null) endShadowSpan(this.#span, event);
    record(this.#deps, this.#req, event);
  }
}

function record(deps: MirrorDeps, req: MirroredRequest, event: ShadowEvent): void {
  req.meters.shadowResult(event.result, event.reason ?? '');
  deps.reports.record(event);
}
