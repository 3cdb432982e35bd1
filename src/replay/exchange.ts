// One line of a recording (the record-and-replay format, v1) as a checked value, or why it is
// not one. Pure. A line that is not JSON or not the format is a skip with a reason, never a crash.

import { isObject } from '../shadow/log-line.js';

export type HeaderValues = Readonly<Record<string, string | readonly string[]>>;

export interface RecordedBody {
  readonly encoding: 'utf8' | 'base64';
  /** Null when the recorder could not redact it (`redactionFailed`). */
  readonly data: string | null;
  readonly bytes: number;
  readonly truncated: boolean;
  readonly redactionFailed?: boolean;
}

export interface RecordedExchange {
  readonly at: string;
  readonly id: string;
  /** The route's label when it was recorded. */
  readonly route: string | null;
  readonly host: string | null;
  /** response.upstream: the one that answered (the canary's or the fallback's name when it did), or null. */
  readonly upstream: string | null;
  readonly request: {
    readonly method: string;
    readonly path: string;
    readonly upstreamPath: string;
    readonly headers: HeaderValues;
    readonly body: RecordedBody | null;
  };
  /** Writes sent to the upstream before it (record/line.ts); null: one may have changed its
   *  answer; undefined: not recorded (an older line). */
  readonly writes: string | null | undefined;
  readonly response: {
    readonly status: number;
    readonly durationMs: number | null;
    readonly headers: HeaderValues;
    readonly body: RecordedBody | null;
  };
}

const isStr = (v: unknown): v is string => typeof v === 'string';

function headersOk(h: unknown): h is HeaderValues {
  return isObject(h) && Object.values(h).every((v) => isStr(v) || (Array.isArray(v) && v.every(isStr)));
}

function bodyProblem(b: unknown): string | null {
  if (b === null || b === undefined) return null;
  if (!isObject(b)) return 'is not an object or null';
  if (b.encoding !== 'utf8' && b.encoding !== 'base64') return '"encoding" must be utf8 or base64';
  if (b.data !== null && !isStr(b.data)) return '"data" must be a string or null';
  if (typeof b.bytes !== 'number') return '"bytes" must be a number';
  return null;
}

/** A parsed line as an exchange, or what is wrong with it. */
export function asExchange(v: unknown): RecordedExchange | string {
  if (!isObject(v)) return 'not a recorded exchange (a JSON object)';
  if (v.v !== 1) return `not a recorded exchange of format v1 (v: ${JSON.stringify(v.v) ?? 'absent'})`;
  const req = v.request;
  const res = v.response;
  if (!isObject(req) || !isObject(res)) return 'not a recorded exchange: "request" and "response" must be objects';
  if (!isStr(req.method) || req.method === '') return 'not a recorded exchange: "request.method" must be a string';
  if (!isStr(req.path) || !req.path.startsWith('/')) return 'not a recorded exchange: "request.path" must be a path';
  if (req.upstreamPath !== undefined && (!isStr(req.upstreamPath) || !req.upstreamPath.startsWith('/'))) {
    return 'not a recorded exchange: "request.upstreamPath" must be a path';
  }
  if (!headersOk(req.headers ?? {}) || !headersOk(res.headers ?? {})) return 'not a recorded exchange: bad "headers"';
  if (typeof res.status !== 'number' || !Number.isInteger(res.status)) return 'not a recorded exchange: "response.status" must be a number';
  for (const [side, b] of [['request', req.body], ['response', res.body]] as const) {
    const p = bodyProblem(b);
    if (p !== null) return `not a recorded exchange: ${side}.body ${p}`;
  }
  return {
    at: isStr(v.at) ? v.at : '',
    id: isStr(v.id) ? v.id : '',
    route: isStr(v.route) ? v.route : null,
    host: isStr(v.host) ? v.host : null,
    upstream: isStr(res.upstream) ? res.upstream : null,
    request: {
      method: req.method.toUpperCase(),
      path: req.path,
      upstreamPath: isStr(req.upstreamPath) ? req.upstreamPath : req.path,
      headers: (req.headers ?? {}) as HeaderValues,
      body: (req.body ?? null) as RecordedBody | null,
    },
    response: {
      status: res.status,
      durationMs: typeof res.durationMs === 'number' ? res.durationMs : null,
      headers: (res.headers ?? {}) as HeaderValues,
      body: (res.body ?? null) as RecordedBody | null,
    },
    writes: typeof v.writes === 'string' || v.writes === null ? v.writes : undefined,
  };
}

/** One line of a recording as an exchange, or why it is not one. */
export function parseExchange(line: string): RecordedExchange | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return `not JSON (${(err as Error).message})`;
  }
  return asExchange(value);
}

const EMPTY = Buffer.alloc(0);

/** A recorded body's bytes (as recorded: possibly truncated, still content-encoded). */
export function bodyBytes(b: RecordedBody | null): Buffer {
  if (b === null || b.data === null) return EMPTY;
  return Buffer.from(b.data, b.encoding === 'base64' ? 'base64' : 'utf8');
}

/** A header's value as one string (several joined with ", "), or undefined. */
export function headerOf(h: HeaderValues, name: string): string | undefined {
  const v = h[name];
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v.join(', ');
}
