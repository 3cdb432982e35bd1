// A recorded answer as the differ takes it (shadow/diff.ts Captured): its bytes decoded the way
// the shadow decodes an upstream's (content-encoding, with a cap). A truncated body is the first
// bytes the recorder kept, with the full length it saw (compare.ts judges the candidate by
// both); one that is also content-encoded cannot be decoded, and one whose redaction failed has
// no data: neither can be compared (a skip, with its reason).

import { decodeBody } from '../shadow/body.js';
import type { Captured } from '../shadow/diff.js';
import { bodyBytes, headerOf, type RecordedExchange } from './exchange.js';

/** Largest decoded body compared (either side). */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface RecordedAnswer extends Captured {
  /** The recorded body was cut: `body` is its first bytes only. */
  readonly truncated: boolean;
  /** The body's full length as the recorder saw it (`bytes`); when truncated, the decoded length
   *  too (a truncated content-encoded body is skipped). */
  readonly fullBytes: number;
}

export type Skip = { readonly skip: string };

export function recordedAnswer(x: RecordedExchange): RecordedAnswer | Skip {
  const r = x.response;
  const b = r.body;
  if (r.status === 304) return { skip: 'not_modified' }; // (a conditional request's answer: no body to compare)
  if (b !== null && (b.redactionFailed === true || b.data === null)) return { skip: 'recording_unredacted' };
  const encoding = headerOf(r.headers, 'content-encoding');
  const truncated = b?.truncated === true;
  const raw = bodyBytes(b);
  if (truncated && encoding !== undefined && encoding !== 'identity') return { skip: 'recording_truncated' };
  const body = decodeBody(raw, encoding, MAX_BODY_BYTES);
  if (body === 'too_large') return { skip: 'too_large' };
  if (body === 'undecodable') return { skip: 'recording_undecodable' };
  return { status: r.status, headers: withoutEncoding(r.headers), body, truncated, fullBytes: b?.bytes ?? 0 };
}

/** Headers of a decoded body: content-encoding and content-length no longer describe it. */
export function withoutEncoding<V>(h: Readonly<Record<string, V>>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const [k, v] of Object.entries(h)) if (k !== 'content-encoding' && k !== 'content-length') out[k] = v;
  return out;
}
