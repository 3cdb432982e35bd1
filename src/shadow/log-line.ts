// The shadow log (`server.shadowLog`): one JSON line per finished comparison. This file owns the
// line: its shape (ShadowEvent), how it is formatted (formatLogLine) and how it is read back and
// checked (parseLogLine, readShadowLog). log-writer.ts writes it; the store writes through that,
// `strangler report --file` and the drills read it.

import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Difference } from './diff.js';

export type ShadowResult = 'match' | 'mismatch' | 'shadow_error' | 'skipped';

/** One finished comparison, as written to the JSON-lines shadow log. */
export interface ShadowEvent {
  /** ISO time the comparison finished. */
  readonly at: string;
  /** The route's prefix. */
  readonly route: string;
  readonly result: ShadowResult;
  /** skipped / shadow_error: why (`too_large`, `overload`, `timeout`...). */
  readonly reason?: string;
  readonly method: string;
  /** The request path (with query), as the client sent it. */
  readonly path: string;
  readonly primaryStatus: number | null;
  readonly shadowStatus: number | null;
  readonly differences?: readonly Pick<Difference, 'path' | 'kind' | 'primary' | 'shadow'>[];
  readonly noise?: readonly { readonly path: string }[];
  /** The comparison stopped at its cap of differences (100): what came after was not compared. */
  readonly truncated?: boolean;
  readonly primaryMs?: number | null;
  readonly shadowMs?: number | null;
  /** Replay command (curl.ts), secrets redacted. */
  readonly curl?: string | null;
  /** The request as sent to the primary upstream, straight to it (curl.ts), secrets redacted. */
  readonly primaryCurl?: string | null;
  /** The request as sent to the shadow upstream, straight to it (curl.ts), secrets redacted. */
  readonly shadowCurl?: string | null;
}

/**
 * A route's report starting afresh, as a line of the log: its shadow config applied (`config`, a
 * hash of that config: at start-up, or by a reload that changed it) or a POST /shadow/reset
 * (`reset`); `off` when the route stops shadowing (shadowing again starts afresh, whatever its
 * config). `strangler report --file` counts each route from its last such line, as the running
 * proxy's report counts; a `config` line with the same hash as the route's line before it (a
 * restart with the same config) continues the count, so results survive restarts.
 */
export interface ShadowRestart {
  readonly at: string;
  readonly route: string;
  readonly restart: 'config' | 'reset' | 'off';
  readonly config?: string;
}

/** The event, or a restart, as one line of the log, newline included. */
export function formatLogLine(event: ShadowEvent | ShadowRestart): string {
  return JSON.stringify(event) + '\n';
}

// ---------------------------------------------------------------------------------------------
// Reading

const RESULTS = new Set(['match', 'mismatch', 'shadow_error', 'skipped']);

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const optional = (v: unknown, is: (x: unknown) => boolean): boolean => v === undefined || v === null || is(v);
const isString = (v: unknown): boolean => typeof v === 'string';
export const isNumber = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);

/** A parsed JSON value as an event, or what is wrong with it. */
export function asEvent(v: unknown): ShadowEvent | string {
  if (!isObject(v)) return 'not a shadow event (a JSON object)';
  for (const k of ['at', 'route', 'method', 'path'] as const) {
    if (typeof v[k] !== 'string') return `not a shadow event: "${k}" must be a string`;
  }
  if (typeof v.result !== 'string' || !RESULTS.has(v.result)) {
    return 'not a shadow event: "result" must be match, mismatch, shadow_error or skipped';
  }
  if (!optional(v.reason, isString)) return 'not a shadow event: "reason" must be a string';
  for (const k of ['primaryStatus', 'shadowStatus', 'primaryMs', 'shadowMs'] as const) {
    if (!optional(v[k], isNumber)) return `not a shadow event: "${k}" must be a number or null`;
  }
  if (!optional(v.truncated, (x) => typeof x === 'boolean')) return 'not a shadow event: "truncated" must be true or false';
  for (const k of ['curl', 'primaryCurl', 'shadowCurl'] as const) {
    if (!optional(v[k], isString)) return `not a shadow event: "${k}" must be a string or null`;
  }
  for (const k of ['differences', 'noise'] as const) {
    const list = v[k];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list) || !list.every((d) => isObject(d) && typeof d.path === 'string')) {
      return `not a shadow event: "${k}" must be a list of objects with a "path"`;
    }
  }
  return {
    ...(v as unknown as ShadowEvent),
    primaryStatus: (v.primaryStatus as number | null | undefined) ?? null,
    shadowStatus: (v.shadowStatus as number | null | undefined) ?? null,
    differences: (v.differences as ShadowEvent['differences'] | null) ?? undefined,
    noise: (v.noise as ShadowEvent['noise'] | null) ?? undefined,
  };
}

function asRestart(v: Record<string, unknown>): ShadowRestart | string {
  if (typeof v.at !== 'string' || typeof v.route !== 'string') return 'not a restart line: "at" and "route" must be strings';
  if (v.restart === 'reset' || v.restart === 'off') return { at: v.at, route: v.route, restart: v.restart };
  if (v.restart === 'config' && typeof v.config === 'string') return { at: v.at, route: v.route, restart: 'config', config: v.config };
  return 'not a restart line: "restart" must be reset, off, or config with a "config" string';
}

/** One line of the log as an event, or what is wrong with it (`not JSON (...)`, `not a shadow event: ...`). */
export function parseLogLine(line: string): ShadowEvent | string {
  const value = parseJson(line);
  return typeof value === 'string' ? value : asEvent(value.json);
}

function parseJson(line: string): { json: unknown } | string {
  try {
    return { json: JSON.parse(line) };
  } catch (err) {
    return `not JSON (${(err as Error).message})`;
  }
}

/** A line of a log file read back: its event, a restart, or why it is neither. Line numbers count from 1. */
export type LogEntry =
  | { readonly line: number; readonly event: ShadowEvent }
  | { readonly line: number; readonly restart: ShadowRestart }
  | { readonly line: number; readonly error: string };

function entryOf(lineNo: number, line: string): LogEntry {
  const value = parseJson(line);
  if (typeof value === 'string') return { line: lineNo, error: value };
  const v = value.json;
  const parsed = isObject(v) && v.restart !== undefined ? asRestart(v) : asEvent(v);
  if (typeof parsed === 'string') return { line: lineNo, error: parsed };
  return 'restart' in parsed ? { line: lineNo, restart: parsed } : { line: lineNo, event: parsed };
}

/**
 * Every non-blank line of a shadow log file, in order. Throws (an fs error) when the file
 * cannot be opened or read; a line that is not an event is an entry with an `error`.
 */
export async function* readShadowLog(path: string): AsyncGenerator<LogEntry> {
  const handle = await open(path, 'r');
  const lines = createInterface({ input: handle.createReadStream({ encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const line of lines) {
      lineNo++;
      if (line.trim() === '') continue;
      yield entryOf(lineNo, line);
    }
  } finally {
    lines.close();
    await handle.close().catch(() => {});
  }
}

