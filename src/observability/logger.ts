// pino JSON logs. Lines are collected in memory into chunks of whole lines and handed to stdout
// at least every 100 ms, through the writer that suits what stdout is (log-sink.ts):
// - cheap: a write per chunk, not per line, and no thread-pool round trip where none is needed
//   (a pipe: Node's non-blocking stream; /dev/null: a plain write);
// - never blocking: a stdout nobody reads (a stalled log shipper, a paused terminal) must not
//   stop the proxy. The backlog is bounded (MAX_BACKLOG); past it whole chunks are dropped and
//   counted (droppedLogBytes(), exported as strangler_log_dropped_bytes_total), never silently;
// - never torn: several processes on one pipe (--workers) write whole lines (log-sink.ts).
// flushLogger() writes out what is pending before exit, bounded.

import pino, { type Logger } from 'pino';
import { sinkFor, type ChunkSink, type ChunkStream } from './log-sink.js';
import { fitLine } from './fit-line.js';
import { isoTime } from '../util/iso-time.js';

export type { Logger };

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
const FLUSH_EVERY_MS = 100;
const MAX_BACKLOG = 16 * 1024 * 1024;

/** One of pino's level names (what LOG_LEVEL and PUT /log-level take). */
export function isLogLevel(value: string): boolean {
  return LEVELS.has(value);
}

export function logLevelFrom(value: string | undefined): string {
  const level = (value ?? 'info').toLowerCase();
  return LEVELS.has(level) ? level : 'info';
}

// ISO time, formatted once per millisecond (at a few thousand lines a second nearly every line
// falls in a new millisecond; util/iso-time.ts formats the second once).
let lastMs = NaN;
let lastTime = '';

/** The time field of a line logged at `ms` (wall clock): what the loggers of this file write,
 *  for a line made later than it was logged (Batching.defer). */
export function timeFieldAt(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastTime = `,"time":"${isoTime(ms)}"`;
  }
  return lastTime;
}

function timeField(): string {
  return timeFieldAt(Date.now());
}

const options = (level: string): pino.LoggerOptions => ({
  level,
  timestamp: timeField,
  formatters: { level: (label) => ({ level: label }) },
});

/** A line made later (Batching.defer): its text from four values. */
export type LineText<A, B, C, D> = (a: A, b: B, c: C, d: D) => string;

/** Deferred lines are made once this many wait (else at the next line or flush: FLUSH_EVERY_MS). */
const DEFER_MAX_LINES = 64;

/** pino's destination: fills whole-line chunks for the sink (log-sink.ts), sized as it asks. */
export class Batching implements pino.DestinationStream {
  readonly #sink: ChunkSink;
  #chunk: Buffer;
  #used = 0;
  /** Deferred lines, five entries each (text function and its four values), in order. */
  #later: unknown[] = [];

  constructor(sink: ChunkSink) {
    this.#sink = sink;
    this.#chunk = Buffer.allocUnsafeSlow(sink.chunkBytes);
  }

  /**
   * A line whose text is made later, out of the request's path through the proxy: the access
   * line, with its metrics and status figures (access-log.ts). Lines are made a batch at a time:
   * once DEFER_MAX_LINES wait, or at the next line written, the next flush (the process log
   * flushes every FLUSH_EVERY_MS) or settle(), whichever comes first, so lines keep their order.
   * Measured paired, both orders: the line made in the response path cost 1.2% more of the
   * proxy's CPU per request than made when the turn of the event loop ended, and its figures
   * 1.9% more besides; made 64 at a time rather than at each turn's end, 1.8% less again (no
   * setImmediate per turn, and one batch runs the same code many times over).
   */
  defer<A, B, C, D>(text: LineText<A, B, C, D>, a: A, b: B, c: C, d: D): void {
    const later = this.#later;
    later.push(text, a, b, c, d);
    if (later.length >= DEFER_MAX_LINES * 5) this.settle();
  }

  /** Makes the deferred lines now (their figures counted), into the chunk: before another line, a
   *  flush, a level change, or a read of the figures. */
  settle(): void {
    const later = this.#later;
    if (later.length === 0) return;
    this.#later = [];
    for (let i = 0; i < later.length; i += 5) this.#write((later[i] as LineText<unknown, unknown, unknown, unknown>)(later[i + 1], later[i + 2], later[i + 3], later[i + 4]));
  }

  write(line: string): void {
    if (this.#later.length > 0) this.settle();
    this.#write(line);
  }

  #write(line: string): void {
    let room = this.#chunk.length - this.#used;
    if (line.length * 3 > room) {
      // It may not fit (UTF-8 takes up to 3 bytes a character): measure it.
      const bytes = Buffer.byteLength(line);
      if (bytes > room) {
        this.flush();
        room = this.#chunk.length;
      }
      if (bytes > room) {
        // Longer than a chunk: alone, or, where a write must stay whole (a shared pipe), cut to fit.
        return this.#sink.whole ? this.#write(fitLine(line, room)) : this.#sink.write(Buffer.from(line));
      }
    }
    this.#used += this.#chunk.write(line, this.#used);
  }

  /** Writes what is pending; the next chunk takes the sink's chunk size as it is now. */
  resize(): void {
    this.flush();
    if (this.#chunk.length !== this.#sink.chunkBytes) this.#chunk = Buffer.allocUnsafeSlow(this.#sink.chunkBytes);
  }

  flush(): void {
    this.settle();
    if (this.#used === 0) return;
    if (this.#sink.writesAtOnce === true) {
      // Written before write() returns (/dev/null): no copy to make.
      this.#sink.write(this.#chunk.subarray(0, this.#used));
      this.#used = 0;
      return;
    }
    // A copy of its exact size: a view would keep the whole chunk alive while it waits, and the
    // backlog's bound counts the bytes written (a few lines a flush, thousands waiting: 100x).
    const chunk = Buffer.allocUnsafeSlow(this.#used);
    this.#chunk.copy(chunk, 0, 0, this.#used);
    this.#used = 0;
    this.#sink.write(chunk);
  }
}

let destination: { batching: Batching; sink: ChunkSink } | null = null;
let dropped = 0;

export function droppedLogBytes(): number {
  return dropped;
}

/** The process's logger, to stdout: `stdout` is process.stdout (main.ts hands it on). */
export function createProcessLogger(level: string, stdout: ChunkStream): Logger {
  const sink = sinkFor(1, stdout, MAX_BACKLOG, (bytes) => {
    dropped += bytes;
  });
  const batching = new Batching(sink);
  destination = { batching, sink };
  setInterval(() => batching.flush(), FLUSH_EVERY_MS).unref();
  return pino(options(level), batching);
}

/** A logger writing to any stream (tests capture lines with it). */
export function createStreamLogger(level: string, stream: pino.DestinationStream): Logger {
  return pino(options(level), stream);
}

/** Counts, and makes into the log's chunk, the access lines waiting to be made (Batching.defer):
 *  whoever reads the request figures (the metrics, the migration status) calls it first. */
export function settleDeferredLines(): void {
  destination?.batching.settle();
}

/** Sets a logger's level. The access lines waiting to be made were logged under the old one:
 *  they are made first (a line is left out or written by the level it was logged at). */
export function setLogLevel(logger: Logger, level: string): void {
  batchingOf(logger)?.settle();
  logger.level = level;
}

/** The process log's chunks, when this logger writes into them (a line can be made later), else null. */
export function batchingOf(logger: Logger): Batching | null {
  const stream = (logger as Logger & { [pino.symbols.streamSym]?: unknown })[pino.symbols.streamSym];
  return stream instanceof Batching ? stream : null;
}

/** Other processes write to this stdout too (--workers): from now on, whole lines in writes a
 *  pipe keeps whole (log-sink.ts). */
export function stdoutShared(): void {
  if (destination === null) return;
  destination.sink.shared?.();
  destination.batching.resize();
}

/** Before exit: writes out what is pending; resolves when done, or after `boundMs` with the bytes
 *  stdout did not take (a reader that stalled). */
export function flushLogger(boundMs = 1000): Promise<number> {
  const d = destination;
  if (d === null) return Promise.resolve(0);
  destination = null;
  d.batching.flush();
  return d.sink.close(boundMs);
}
