// The ShadowEvent of one mirrored request, however it ended. Each builder makes its event as
// one object literal with the keys always in the same order. Not `{ ...base, ...more }`:
// measured on Node 20, objects made by spreading were promoted to the old generation by the
// thousand, and the mark-compacts that followed (5-10 ms each) were most of the primary's p99
// with a shadow at 100%.

import type { RouteMeters } from '../observability/metrics.js';
import { curlFor } from './curl.js';
import type { Comparison } from './diff.js';
import type { ShadowEvent } from './log-line.js';
import type { RequestTrace } from '../tracing/request-trace.js';
import { isoTime } from '../util/iso-time.js';

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
  /** The request's trace (tracing on): the copy's span is linked to it (span.ts). */
  readonly trace?: RequestTrace | null;
}

/** What an event says of the request and of the primary's side (the task, as it stands). */
export interface EventSource {
  readonly request: MirroredRequest;
  /** 0 until the primary's head came. */
  readonly primaryStatus: number;
  /** Null until the primary's answer was complete. */
  readonly primaryMs: number | null;
  /** The mirrored request body, if any (for the replay line). */
  readonly mirroredBody: Buffer | null;
  /** Origins of the primary and shadow upstreams (for the curl line of each side). */
  readonly primaryOrigin: string;
  readonly shadowOrigin: string;
}

const NONE: readonly never[] = Object.freeze([]);

/** Skipped before anything was sent (`overload`). */
export function refusedEvent(req: MirroredRequest, reason: string): ShadowEvent {
  return { at: isoTime(Date.now()), route: req.route, result: 'skipped', reason, method: req.method, path: req.clientPath, primaryStatus: null, shadowStatus: null };
}

/** Ended without a comparison: `skipped` (too_large, cancelled...) or `shadow_error` (timeout, reset...). */
export function endedEvent(src: EventSource, result: 'skipped' | 'shadow_error', reason: string): ShadowEvent {
  const r = src.request;
  return {
    at: isoTime(Date.now()),
    route: r.route,
    result,
    reason,
    method: r.method,
    path: r.clientPath,
    primaryStatus: src.primaryStatus || null,
    shadowStatus: null,
    differences: undefined,
    noise: undefined,
    truncated: undefined,
    primaryMs: src.primaryMs,
    shadowMs: result === 'skipped' ? undefined : null,
    curl: undefined,
    primaryCurl: undefined,
    shadowCurl: undefined,
  };
}

/** A finished comparison: match or mismatch; only a mismatch carries curl lines (replay, primary, shadow). */
export function comparedEvent(src: EventSource, cmp: Comparison, shadowStatus: number, shadowMs: number): ShadowEvent {
  const r = src.request;
  return {
    at: isoTime(Date.now()),
    route: r.route,
    result: cmp.result,
    reason: undefined,
    method: r.method,
    path: r.clientPath,
    primaryStatus: src.primaryStatus || null,
    shadowStatus,
    differences: cmp.differences.length === 0 ? NONE : cmp.differences.map((d) => ({ path: d.path, kind: d.kind, primary: d.primary, shadow: d.shadow })),
    noise: cmp.noise.length === 0 ? NONE : cmp.noise.map((d) => ({ path: d.path })),
    truncated: cmp.truncated ? true : undefined, // (undefined: not written)
    primaryMs: src.primaryMs,
    shadowMs,
    curl: cmp.result === 'mismatch' ? replayLine(src) : null,
    primaryCurl: cmp.result === 'mismatch' ? directLine(src, src.primaryOrigin, r.primaryPath, r.headers) : null,
    shadowCurl: cmp.result === 'mismatch' ? directLine(src, src.shadowOrigin, r.shadowPath, shadowCopyHeaders(r.headers)) : null,
  };
}

/** The shadow's copy carries this header besides the primary's (mirror.ts sends it). */
export const SHADOW_MARK: readonly string[] = ['x-strangler-shadow', '1'];

/** A conditional request's validators: each side would answer 304 or 200 by its own ETags and
 *  dates, a difference of nothing. The shadow's copy goes without them (its full answer is
 *  compared; a primary's 304 has no body to compare it with: skipped, not_modified). */
const VALIDATORS = new Set(['if-none-match', 'if-modified-since']);

/** Whether `lower` (a header name in lower case) is one of a conditional request's validators. */
export const isValidator = (lower: string): boolean => VALIDATORS.has(lower);

/** The headers of the shadow's copy: the primary's, without validators, and the mark. */
export function shadowCopyHeaders(headers: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) if (!isValidator(headers[i]!.toLowerCase())) out.push(headers[i]!, headers[i + 1]!);
  out.push(...SHADOW_MARK);
  return out;
}

/** The request as one upstream got it (its path, its headers), sent straight to its origin. */
function directLine(src: EventSource, origin: string, path: string, headers: readonly string[]): string {
  return curlFor(src.request.method, origin + path, pairs(headers), src.mirroredBody ?? undefined);
}

/** The curl command that replays the request to the host the client named, body included (bounded by curl.ts). */
function replayLine(src: EventSource): string {
  const r = src.request;
  return curlFor(r.method, `http://${r.host ?? 'localhost'}${r.clientPath}`, pairs(r.headers), src.mirroredBody ?? undefined);
}

function pairs(flat: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}
