// One GET of the fault and canary drills' load, timed to the end of its body: its status (0: no
// response), which side answered it (from the response headers), and, when it did not answer as
// expected (2xx, or the path's `expect`) or not at all, what went wrong, by kind, for the report.
import type { Pool } from 'undici';
import { epochMs } from './common-clock.js';
import { countInto } from './common-count.js';

export interface LoadPath {
  readonly path: string;
  /** The status every answer must have (default: any 2xx). */
  readonly expect?: number;
}

export interface SideRules<S> {
  /** Which side answered, from the response headers. */
  readonly sideOf: (headers: Record<string, string | string[] | undefined>) => S;
  /** The side of a request with no response. */
  readonly none: S;
  /** When set, each error about a response ends with `, <describe(side)>`. */
  readonly describe?: (side: S) => string;
}

export interface TimedGet<S> {
  /** Epoch ms. */
  readonly sentAt: number;
  /** Send to end of body (or to the failure). */
  readonly latencyMs: number;
  readonly status: number;
  readonly side: S;
  /** Undefined when the answer was the expected one. */
  readonly error: string | undefined;
}

export async function timedGet<S>(
  pool: Pool,
  { path, expect }: LoadPath,
  rules: SideRules<S>,
  timeoutMs: number,
  headers?: Record<string, string>,
): Promise<TimedGet<S>> {
  const sentAt = epochMs();
  let status = 0;
  let side = rules.none;
  let error: string | undefined;
  const on = (): string => (rules.describe === undefined ? '' : `, ${rules.describe(side)}`);
  try {
    const res = await pool.request({ path, method: 'GET', ...(headers && { headers }), headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    status = res.statusCode;
    side = rules.sideOf(res.headers);
    await res.body.arrayBuffer();
    const ok = expect === undefined ? status >= 200 && status < 300 : status === expect;
    if (!ok) error = `HTTP ${status} on ${path}${expect === undefined ? '' : ` (expected ${expect})`}${on()}`;
  } catch (err) {
    const e = err as Error & { code?: string };
    error = status === 0 ? `no response on ${path}: ${e.code ?? e.message}` : `HTTP ${status} on ${path}, then the body failed: ${e.code ?? e.message}${on()}`;
  }
  return { sentAt, latencyMs: epochMs() - sentAt, status, side, error };
}

/** The columns every load record of these drills has (one entry per request, in send order). */
export interface TimedGetColumns<S> {
  readonly sentAt: number[];
  readonly latencyMs: number[];
  readonly status: number[];
  /** Index into the load's paths. */
  readonly path: number[];
  readonly side: S[];
  /** What went wrong, by kind (the message of each error). */
  readonly errors: Map<string, number>;
}

/** Appends one request (path index `p`) to the columns and counts its error. */
export function recordTimedGet<S>(r: TimedGetColumns<S>, p: number, got: TimedGet<S>): void {
  r.sentAt.push(got.sentAt);
  r.latencyMs.push(got.latencyMs);
  r.status.push(got.status);
  r.path.push(p);
  r.side.push(got.side);
  if (got.error !== undefined) countInto(r.errors, got.error);
}
