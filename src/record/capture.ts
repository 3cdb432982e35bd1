// One recorded exchange while it runs: the request's head (taken when recording starts), its
// body and the primary's answer teed as they flow (BodyTee: bounded, never holding anything
// back), and, when the answer ended complete, one line queued on the route's writer. An answer
// that did not end complete (the client left, the upstream broke off, a proxy error) writes
// nothing. The exchange feeds it like the shadow's task (primaryHead/primaryData/primaryEnd).

import { bodyField } from './body-field.js';
import { BodyTee } from './body-tee.js';
import { firstValue, headerField } from './header-field.js';
import { originForm, redactQuery } from './redact-query.js';
import { formatRecordLine, RECORD_FORMAT_VERSION } from './line.js';
import { isoTime } from '../util/iso-time.js';
import type { PathMatcher } from '../shadow/patterns.js';
import type { WriteTally } from '../forward/pools.js';

/** The route's recording as a capture uses it (recorder.ts's RecordTarget). */
export interface RecordTarget {
  readonly settings: { readonly maxBodyBytes: number };
  readonly route: string;
  readonly host: string | null;
  readonly redactHeaders: ReadonlySet<string>;
  readonly redactJson: PathMatcher | null;
  readonly redactQuery: ReadonlySet<string>;
  write(line: string): void;
  /** The capture ended (once, whatever its outcome): its concurrency slot is free. */
  released(): void;
  /** The capture threw: it is dropped (`error`), never the client's answer. */
  failed(err: unknown): void;
}

/** What the capture reads from its exchange when the answer ends: who answered. */
export interface AnswerSource {
  readonly servedBy: { readonly name: string };
  /** The route's own upstream: the writes proxied to it (forward/pools.ts, WriteTally). */
  readonly upstream: { readonly writes: Pick<WriteTally, 'id' | 'quietMark' | 'quietSince'> };
}

export interface RequestHead {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly upstreamPath: string;
  readonly rawHeaders: readonly string[];
  /** performance.now() when the request arrived. */
  readonly startedAt: number;
  /** The recording clock's time when it arrived (the line's `at`). */
  readonly arrivedAt: number;
}

export class RecordCapture {
  readonly #recorder: RecordTarget;
  readonly #source: AnswerSource;
  readonly #head: RequestHead;
  readonly #requestBody: BodyTee;
  readonly #responseBody: BodyTee;
  #status = 0;
  #rawHeaders: readonly Buffer[] = [];
  /** Threw once: it records nothing more. */
  #failed = false;
  #ended = false;
  /** The request body is still arriving (requestStreaming, until requestEnded). */
  #requestOpen = false;
  /** Its declared content-length, when it had one. */
  #declared: number | null = null;
  /** Writes to the upstream when it began, none under way (null: one was). */
  readonly #writesAtStart: number | null;

  constructor(recorder: RecordTarget, source: AnswerSource, head: RequestHead) {
    this.#recorder = recorder;
    this.#source = source;
    this.#writesAtStart = source.upstream.writes.quietMark();
    this.#head = head;
    this.#requestBody = new BodyTee(recorder.settings.maxBodyBytes);
    this.#responseBody = new BodyTee(recorder.settings.maxBodyBytes);
  }

  /** Never a shadow copy (the access line's `shadowed` flag comes from the shadow's task). */
  get sent(): undefined {
    return undefined;
  }

  /** A chunk of the request body, as it goes upstream (or the whole body, read beforehand). */
  requestData(chunk: Buffer): void {
    if (this.#failed) return;
    try {
      this.#requestBody.add(chunk);
    } catch (err) {
      this.#fail(err);
    }
  }

  /** The request body streams (teed as it goes): until requestEnded, what was seen is a prefix. */
  requestStreaming(declared: number | null): void {
    this.#requestOpen = true;
    this.#declared = declared;
  }

  requestEnded(): void {
    this.#requestOpen = false;
  }

  primaryHead(status: number, raw: readonly Buffer[]): void {
    this.#status = status;
    this.#rawHeaders = raw;
  }

  primaryData(chunk: Buffer): void {
    if (this.#failed) return;
    try {
      this.#responseBody.add(chunk);
    } catch (err) {
      this.#fail(err);
    }
  }

  /** Never throws: the exchange goes on to its access line, metrics and canary outcome. */
  primaryEnd(ok: boolean): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#recorder.released();
    if (!ok || this.#status === 0 || this.#failed) return;
    try {
      this.#write();
    } catch (err) {
      this.#fail(err);
    }
  }

  #partialRequestBody(r: RecordTarget, headers: ReturnType<typeof headerField>): ReturnType<typeof bodyField> {
    return partialBody(this.#requestBody, this.#declared, r, headers);
  }

  #fail(err: unknown): void {
    this.#failed = true;
    try {
      this.#recorder.failed(err);
    } catch {
      // (counting and logging must not break the answer either)
    }
  }

  #write(): void {
    const r = this.#recorder;
    const h = this.#head;
    const durationMs = Math.round((performance.now() - h.startedAt) * 1000) / 1000;
    const reqHeaders = headerField(h.rawHeaders, r.redactHeaders);
    const resHeaders = headerField(this.#rawHeaders, r.redactHeaders);
    const w = this.#source.upstream.writes;
    const line = formatRecordLine({
      v: RECORD_FORMAT_VERSION,
      at: isoTime(h.arrivedAt),
      id: h.requestId,
      route: r.route,
      host: r.host,
      request: {
        method: h.method,
        path: redactQuery(originForm(h.path), r.redactQuery),
        upstreamPath: redactQuery(h.upstreamPath, r.redactQuery),
        headers: reqHeaders,
        body: this.#requestOpen ? this.#partialRequestBody(r, reqHeaders) : bodyOf(this.#requestBody, r, reqHeaders),
      },
      response: {
        status: this.#status,
        upstream: this.#source.servedBy.name,
        durationMs,
        headers: resHeaders,
        body: bodyOf(this.#responseBody, r, resHeaders),
      },
      writes: w.quietSince(this.#writesAtStart) ? `${w.id}:${this.#writesAtStart}` : null, // (the id: counts of two processes never pass for one moment)
    });
    r.write(line);
  }
}

/** A request body the answer ended before: the bytes seen so far, marked truncated, its size
 *  the declared content-length when it had one (else the bytes seen). */
function partialBody(tee: BodyTee, declared: number | null, r: RecordTarget, headers: ReturnType<typeof headerField>): ReturnType<typeof bodyField> {
  const bytes = Math.max(tee.bytes, declared ?? 0);
  if (bytes === 0) return { encoding: 'utf8', data: '', bytes: 0, truncated: true };
  return bodyField({ kept: tee.kept, bytes, truncated: true }, r.redactJson, firstValue(headers, 'content-type'), firstValue(headers, 'content-encoding'));
}

function bodyOf(tee: BodyTee, r: RecordTarget, headers: ReturnType<typeof headerField>): ReturnType<typeof bodyField> {
  if (tee.bytes === 0) return null;
  return bodyField({ kept: tee.kept, bytes: tee.bytes, truncated: tee.truncated }, r.redactJson, firstValue(headers, 'content-type'), firstValue(headers, 'content-encoding'));
}
