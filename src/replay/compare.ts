// One replayed exchange judged: the recorded answer is the primary's side, the candidate's the
// shadow's, compared by the shadow's differ with the route's rules (shadow/diff.ts), and the
// result as a ShadowEvent (what the shadow report counts). Two rules of the recording: a value the
// recorder redacted (`"<redacted>"`, a header or a JSON value) is not compared, and a truncated
// recorded body (its first bytes and its full length) is judged as the shadow judges a body it
// cannot hold: a full length other than the recorded one (`body.length`) or a first bytes that
// differ (`body`) is a mismatch; the same length and first bytes prove nothing about the rest, so
// that is no match but a skip, `too_large`. Pure.

import { REDACTED } from '../shadow/curl.js';
import { compareResponses, type Captured, type CompareOptions, type Comparison, type Difference } from '../shadow/diff.js';
import type { ShadowEvent } from '../shadow/log-line.js';
import type { RecordedAnswer, Skip } from './recorded.js';

export function compareReplayed(recorded: RecordedAnswer, candidate: Captured, opts: CompareOptions): Comparison | Skip {
  const shadow = recorded.truncated ? { ...candidate, body: candidate.body.subarray(0, recorded.body.length) } : candidate;
  const cmp = withoutRedacted(compareResponses(recorded, shadow, opts));
  return recorded.truncated ? judgeTruncated(cmp, recorded.fullBytes, candidate.body.length, opts) : cmp;
}

function withoutRedacted(cmp: Comparison): Comparison {
  const differences = cmp.differences.filter((d) => d.primary !== REDACTED);
  if (differences.length === cmp.differences.length) return cmp;
  return { ...cmp, differences, result: differences.length > 0 || cmp.truncated ? 'mismatch' : 'match' };
}

/** The comparison of the first bytes, judged with both full lengths (noise where the body is). */
function judgeTruncated(first: Comparison, recordedBytes: number, candidateBytes: number, opts: CompareOptions): Comparison | Skip {
  if (recordedBytes !== candidateBytes) {
    const d: Difference = { path: 'body.length', kind: 'value', primary: recordedBytes, shadow: candidateBytes };
    if (opts.noisePaths?.has('body') !== true) return { ...first, result: 'mismatch', differences: [...first.differences, d] };
    if (first.result === 'mismatch') return { ...first, noise: [...first.noise, d] };
  }
  return first.result === 'mismatch' ? first : { skip: 'too_large' };
}

export interface ReplayedRequest {
  readonly route: string;
  readonly method: string;
  /** As the client sent it when it was recorded. */
  readonly path: string;
  readonly at: string;
  readonly recordedStatus: number | null;
  readonly recordedMs: number | null;
}

/** Not sent, or sent and not compared (`skipped`: not replayed by the rules; `shadow_error`: the candidate did not answer). */
export function uncomparedEvent(r: ReplayedRequest, result: 'skipped' | 'shadow_error', reason: string): ShadowEvent {
  return {
    at: r.at,
    route: r.route,
    result,
    reason,
    method: r.method,
    path: r.path,
    primaryStatus: r.recordedStatus,
    shadowStatus: null,
    primaryMs: result === 'skipped' ? undefined : r.recordedMs,
  };
}

/** A comparison; a mismatch carries the curl line that sends the request to the candidate again (as the shadow's). */
export function comparedEvent(r: ReplayedRequest, cmp: Comparison, candidateStatus: number, candidateMs: number, curl: string): ShadowEvent {
  return {
    at: r.at,
    route: r.route,
    result: cmp.result,
    method: r.method,
    path: r.path,
    primaryStatus: r.recordedStatus,
    shadowStatus: candidateStatus,
    differences: cmp.differences.map((d) => ({ path: d.path, kind: d.kind, primary: d.primary, shadow: d.shadow })),
    noise: cmp.noise.map((d) => ({ path: d.path })),
    primaryMs: r.recordedMs,
    shadowMs: candidateMs,
    curl: null,
    primaryCurl: null,
    shadowCurl: cmp.result === 'mismatch' ? curl : null,
  };
}
