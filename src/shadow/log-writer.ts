// Writing the shadow log (log-line.ts owns the line): one bounded asynchronous writer per file
// (sonic-boom), never a write per event and never waiting: the proxy does not slow down for a
// slow disk. What is queued is bounded (maxQueuedBytes); past it an event is dropped. A file
// that cannot be opened is retried at most once a second, its events dropped meanwhile; a failed
// write is counted and writing goes on (a FIFO whose reader exited: EPIPE until the next reader
// opens it, then its lines flow again on the same descriptor). Failures (open or
// write) and drops are counted (strangler_shadow_log_errors_total,
// strangler_shadow_log_dropped_total) and logged, at most once a second. The file is opened
// non-blocking: a FIFO or pipe is fine to write to, but one nobody reads (or that stays full)
// costs dropped events, never a thread or a wait.

import { constants, open as fsOpen } from 'node:fs';
import sonicBoom, { type SonicBoom } from 'sonic-boom';
import type { Logger } from '../observability/logger.js';
import { formatLogLine, type ShadowEvent, type ShadowRestart } from './log-line.js';

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
