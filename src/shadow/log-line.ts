// The shadow log (`server.shadowLog`): one JSON line per finished comparison. This file owns the
// line: its shape (ShadowEvent), how it is written (formatLogLine, ShadowLogWriter) and how it
// is read back and checked (parseLogLine, readShadowLog). The store writes it, `strangler
// report --file` and the drills read it.
//
// Writing: one bounded asynchronous writer per file (sonic-boom), never a write per event and
// never waiting: the proxy does not slow down for a slow disk. What is queued is bounded
// (maxQueuedBytes); past it an event is dropped. A file that cannot be opened is retried at
// most once a second, its events dropped meanwhile. Failures (open or write) and drops are
// counted (strangler_shadow_log_errors_total, strangler_shadow_log_dropped_total) and logged,
// at most once a second. The file is opened non-blocking: a FIFO or pipe is fine to write to,
// but one nobody reads (or that stays full) costs dropped events, never a thread or a wait.

import { constants, open as fsOpen } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import sonicBoom, { type SonicBoom } from 'sonic-boom';
import type { Logger } from '../observability/logger.js';
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

// ---------------------------------------------------------------------------------------------
// Writing

/** The message logged when the shadow log fails (at most once a second). */
export const SHADOW_LOG_FAILED = 'shadow log write failed';
/** Default bound on what is queued for the file, in bytes. */
export const SHADOW_LOG_MAX_QUEUED_BYTES = 8 * 1024 * 1024;
const QUIET_MS = 1000;
const APPEND_NON_BLOCKING = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK;
// sonic-boom is CommonJS (module.exports = the class); its types only describe the named export.
const SonicBoomClass = sonicBoom as unknown as typeof SonicBoom;

export interface ShadowLogCounters {
  /** strangler_shadow_log_errors_total: failures to open or write the file. */
  readonly shadowLogErrors: { inc(): void };
  /** strangler_shadow_log_dropped_total: events not written (queue full, file not open). */
  readonly shadowLogDropped: { inc(value?: number): void };
}

export interface ShadowLogWriterOptions {
  readonly logger?: Pick<Logger, 'warn'>;
  readonly metrics?: ShadowLogCounters;
  /** Bound on the bytes queued for the file; default SHADOW_LOG_MAX_QUEUED_BYTES. */
  readonly maxQueuedBytes?: number;
  /** Milliseconds, monotonic (default performance.now): paces the complaints and the reopen. */
  readonly now?: () => number;
}

export class ShadowLogWriter {
  readonly path: string;
  readonly #opts: ShadowLogWriterOptions;
  readonly #now: () => number;
  readonly #maxQueuedBytes: number;
  #out: SonicBoom | null = null;
  /** Lines held while the file is being opened (null: not opening); lost if it cannot be. */
  #opening: string[] | null = null;
  #openingBytes = 0;
  /** end() was called while the file was opening: close it once open. */
  #ended: (() => void) | null = null;
  #openFailedAt = 0;
  #lastComplaint = -Infinity;
  #quietErrors = 0;
  #quietDrops = 0;
  errors = 0;
  dropped = 0;

  constructor(path: string, opts: ShadowLogWriterOptions = {}) {
    this.path = path;
    this.#opts = opts;
    this.#now = opts.now ?? (() => performance.now());
    this.#maxQueuedBytes = opts.maxQueuedBytes ?? SHADOW_LOG_MAX_QUEUED_BYTES;
    this.#open();
  }

  write(event: ShadowEvent | ShadowRestart): void {
    if (this.#out === null && this.#opening === null) {
      if (this.#now() - this.#openFailedAt < QUIET_MS) return this.#drop(1);
      this.#open();
    }
    const line = formatLogLine(event);
    if (this.#out !== null) {
      this.#out.write(line);
      return;
    }
    if (this.#openingBytes + line.length > this.#maxQueuedBytes) return this.#drop(1);
    this.#opening!.push(line);
    this.#openingBytes += line.length;
  }

  /** Writes out what is queued and closes the file. */
  end(): Promise<void> {
    const out = this.#out;
    this.#out = null;
    this.#openFailedAt = Infinity; // no reopening
    if (this.#opening !== null) return new Promise((resolve) => (this.#ended = resolve));
    if (out === null || (out as unknown as { destroyed: boolean }).destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      out.once('close', resolve);
      out.once('error', () => resolve());
      out.end();
    });
  }

  // Opened by us, not by sonic-boom, to open it non-blocking: a FIFO nobody reads then fails
  // (ENXIO) instead of holding one of libuv's four threads until a reader comes, and a full pipe
  // answers EAGAIN (sonic-boom retries it on a timer, its queue bounded) instead of blocking.
  #open(): void {
    const lines: string[] = [];
    this.#opening = lines;
    this.#openingBytes = 0;
    fsOpen(this.path, APPEND_NON_BLOCKING, 0o666, (err, fd) => {
      this.#opening = null;
      if (err !== null) {
        this.#openFailedAt = Math.max(this.#openFailedAt, this.#now());
        this.#failed();
        this.#countDrops(lines.length);
        this.#complain(err);
        return this.#ended?.();
      }
      const out = new SonicBoomClass({ fd, sync: false, minLength: 0, maxLength: this.#maxQueuedBytes });
      out.on('drop', () => this.#drop(1));
      out.on('error', (e: Error) => {
        this.#failed();
        this.#complain(e);
      });
      for (const line of lines) out.write(line);
      if (this.#ended === null) this.#out = out;
      else out.once('close', this.#ended).once('error', this.#ended).end();
    });
  }

  #failed(): void {
    this.errors++;
    this.#quietErrors++;
    this.#opts.metrics?.shadowLogErrors.inc();
  }

  #drop(n: number): void {
    this.#countDrops(n);
    this.#complain(null);
  }

  #countDrops(n: number): void {
    if (n <= 0) return;
    this.dropped += n;
    this.#quietDrops += n;
    this.#opts.metrics?.shadowLogDropped.inc(n);
  }

  #complain(err: Error | null): void {
    const now = this.#now();
    if (now - this.#lastComplaint < QUIET_MS || this.#opts.logger === undefined) return;
    this.#lastComplaint = now;
    this.#opts.logger.warn({ msg: SHADOW_LOG_FAILED, path: this.path, error: err?.message, errors: this.#quietErrors, dropped: this.#quietDrops });
    this.#quietErrors = this.#quietDrops = 0;
  }
}
