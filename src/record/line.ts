// One recorded exchange: the line's shape (v1, recordformat; `strangler replay` reads it) and
// its serialisation to one `\n`-terminated JSON line. Pure.

import type { BodyField } from './body-field.js';
import type { HeaderField } from './header-field.js';

export const RECORD_FORMAT_VERSION = 1;

export interface RecordedRequest {
  readonly method: string;
  /** As the client sent it, with its query. */
  readonly path: string;
  /** As sent upstream (prefixRewrite applied). */
  readonly upstreamPath: string;
  readonly headers: HeaderField;
  readonly body: BodyField;
}

export interface RecordedResponse {
  readonly status: number;
  /** The upstream that answered (the fallback's or the canary's name when it did). */
  readonly upstream: string;
  readonly durationMs: number;
  readonly headers: HeaderField;
  readonly body: BodyField;
}

export interface RecordedExchange {
  readonly v: typeof RECORD_FORMAT_VERSION;
  /** ISO time the request arrived. */
  readonly at: string;
  readonly id: string;
  /** The route's label (its prefix, or host + prefix). */
  readonly route: string;
  /** The route's host (null: any host). */
  readonly host: string | null;
  readonly request: RecordedRequest;
  readonly response: RecordedResponse;
  /** An extension: `<process>:<count>`, the writes this process had sent to the route's upstream
   *  when the request arrived, if none was under way then or started before the answer ended;
   *  else null (the answer may reflect a write). The replay learns noise only between answers
   *  with the same value. */
  readonly writes?: string | null;
}

export function formatRecordLine(e: RecordedExchange): string {
  return JSON.stringify(e) + '\n';
}
