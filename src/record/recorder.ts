// A route's recording, built when its table is compiled: its settings, the writer of its file
// (shared, recorders.ts), its redaction (header names, JSON paths compiled once), and the
// sampling decision. A route without `record` has none (CompiledRoute.record is null).

import type { IncomingMessage } from 'node:http';
import type { Clock, Random } from '../util/clock.js';
import type { EffectiveRecord } from '../routing/types.js';
import { compilePatterns, type PathMatcher } from '../shadow/patterns.js';
import { RecordCapture, type AnswerSource, type RequestHead } from './capture.js';
import type { RecordWriter } from './writer.js';

/** What a route's recorder reports (recorders.ts counts and logs it). */
export interface RecorderEvents {
  /** A capture threw: dropped (`error`), logged aggregated. */
  captureFailed(route: string, err: unknown): void;
  /** A sampled exchange not recorded: maxConcurrent were being recorded (`busy`). */
  busy(route: string): void;
}

export class RouteRecorder {
  readonly settings: EffectiveRecord;
  /** The route's label (metrics, the line's `route`). */
  readonly route: string;
  readonly host: string | null;
  readonly redactHeaders: ReadonlySet<string>;
  readonly redactJson: PathMatcher | null;
  readonly redactQuery: ReadonlySet<string>;
  readonly writer: RecordWriter;
  readonly #methods: ReadonlySet<string>;
  readonly #clock: Clock;
  readonly #events: RecorderEvents;
  /** Captures running now (at most settings.maxConcurrent). */
  #active = 0;

  constructor(settings: EffectiveRecord, route: string, host: string | null, writer: RecordWriter, clock: Clock, events: RecorderEvents) {
    this.#events = events;
    this.settings = settings;
    this.route = route;
    this.host = host;
    this.writer = writer;
    this.#clock = clock;
    this.#methods = new Set(settings.methods);
    this.redactHeaders = new Set(settings.redactHeaders);
    this.redactQuery = new Set(settings.redactQuery);
    this.redactJson = settings.redactJson.length === 0 ? null : compilePatterns(settings.redactJson);
  }

  /** Whether this request is recorded: its method is listed, and it falls in the percent. */
  sampled(method: string, random: Random): boolean {
    const p = this.settings.percent;
    return this.#methods.has(method) && (p >= 100 || random() * 100 < p);
  }

  /** Starts recording a sampled request; null when maxConcurrent are being recorded (`busy`). */
  begin(source: AnswerSource, head: RequestHead): RecordCapture | null {
    if (this.#active >= this.settings.maxConcurrent) {
      this.#events.busy(this.route);
      return null;
    }
    this.#active++;
    return new RecordCapture(this, source, head);
  }

  /** The recording clock's time (the handler takes a request's arrival with it). */
  now(): number {
    return this.#clock.now();
  }

  /** A capture ended (its answer ended, however). */
  released(): void {
    this.#active--;
  }

  write(line: string): void {
    this.writer.write(line, this.route);
  }

  failed(err: unknown): void {
    this.#events.captureFailed(this.route, err);
  }
}

/** Tees a request body that streams upstream into `capture`, without starting or holding the
 *  flow: a body no one reads yet is paused first (its reader, undici, resumes it). Until its
 *  'end', the capture knows the body is still arriving (an early answer records it truncated). */
export function teeRequestBody(req: IncomingMessage, capture: RecordCapture): void {
  if (req.readableFlowing === null) req.pause();
  if (!req.readableEnded) capture.requestStreaming(declaredLength(req.rawHeaders));
  req.on('data', (chunk: Buffer) => capture.requestData(chunk));
  req.once('end', () => capture.requestEnded());
}

/** The request's content-length (from its raw fields: node's lazy `headers` stays unbuilt). */
function declaredLength(raw: readonly string[]): number | null {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.length !== 14 || raw[i]!.toLowerCase() !== 'content-length') continue;
    const n = Number(raw[i + 1]);
    return Number.isSafeInteger(n) && n >= 0 ? n : null;
  }
  return null;
}
