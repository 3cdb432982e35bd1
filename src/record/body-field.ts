// A recorded body as the file holds it (recordformat: `body`): null when there was none; utf8
// when the kept bytes are valid UTF-8 without control characters (tab, CR and LF aside), else base64; `bytes` the full size seen, `truncated` when
// only the first maxBodyBytes are kept. On a route with redactJson, whatever its content-type:
// a body labelled JSON, or whose first non-space byte is `{` or `[`, has those values replaced;
// a form (urlencoded or multipart) or content-encoded body, or a JSON one that cannot be
// redacted (truncated, unparsable), is recorded without its data (`"data":null,
// "redactionFailed":true`): an unredacted body is never written when redaction was asked. Pure.

import { isUtf8 } from 'node:buffer';
import type { PathMatcher } from '../shadow/patterns.js';
import { redactJsonValue } from './redact-json.js';

export type BodyField =
  | { readonly encoding: 'utf8' | 'base64'; readonly data: string | null; readonly bytes: number; readonly truncated: boolean; readonly redactionFailed?: true }
  | null;

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export function isJsonType(contentType: string | undefined): boolean {
  return contentType !== undefined && JSON_TYPE.test(contentType);
}

const FORM_TYPE = /^\s*(?:application\/x-www-form-urlencoded|multipart\/form-data)\s*(?:;|$)/i;

/** Whether the first byte past JSON whitespace opens an object or an array. */
export function looksLikeJson(b: Buffer): boolean {
  for (const c of b) {
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    return c === 0x7b || c === 0x5b;
  }
  return false;
}

export interface BodySeen {
  readonly kept: Buffer;
  readonly bytes: number;
  readonly truncated: boolean;
}

/** `redact`: the route's redactJson (null: none); `contentType`/`contentEncoding`: the message's. */
export function bodyField(body: BodySeen, redact: PathMatcher | null, contentType: string | undefined, contentEncoding: string | undefined): BodyField {
  if (body.bytes === 0) return null;
  const { kept, bytes, truncated } = body;
  if (redact !== null) {
    const encoded = contentEncoding !== undefined && contentEncoding.trim().toLowerCase() !== 'identity';
    const json = isJsonType(contentType) || looksLikeJson(kept);
    if (encoded || FORM_TYPE.test(contentType ?? '') || json) {
      const redacted = encoded || truncated || !json ? null : redactedJson(kept, redact);
      if (redacted === null) return { encoding: 'utf8', data: null, bytes, truncated, redactionFailed: true };
      return { encoding: 'utf8', data: redacted, bytes, truncated };
    }
  }
  if (isUtf8(kept)) {
    const text = kept.toString('utf8');
    if (!CONTROL.test(text)) return { encoding: 'utf8', data: text, bytes, truncated };
  }
  return { encoding: 'base64', data: kept.toString('base64'), bytes, truncated };
}

/** Control characters JSON writes as six-byte escapes: a body with any is binary in all but
 *  name (a UTF-8-valid run of zero bytes), kept as base64 (4/3 of its size) rather than escaped
 *  (6 times its size, and measured: 255 ms of the event loop to build the line of 4 MB of them). */
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

function redactedJson(kept: Buffer, redact: PathMatcher): string | null {
  if (!isUtf8(kept)) return null;
  try {
    return JSON.stringify(redactJsonValue(JSON.parse(kept.toString('utf8')), redact));
  } catch {
    return null;
  }
}
