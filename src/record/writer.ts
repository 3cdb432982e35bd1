// One bounded asynchronous writer per recording file. A request never waits for it: a line is
// queued (bounded in lines and bytes, the batch being written included; past either bound it is
// dropped, `queue_full`; a line larger than the whole bound, `too_large`) and written
// by one pump, a batch at a time, in order; the pump starts flushDelayMs after the first line
// queued (or once 256 KiB are), so that lines share their system calls. A file that cannot be opened or written drops the
// batch (`write_error`), is reported once to `failed` (the caller logs, aggregated per second),
// and is not tried again for a second: lines meanwhile are dropped at once (`write_error`).
// Before a batch would take the file past maxFileBytes, the file is renamed to its next rotation
// number (file-names.ts) and a new one is started. A line longer than maxFileBytes is dropped
// (`too_large`); a line for a closed writer (its file no longer named by any route) `closed`.
// A file found ending mid-line when opened (a write cut short: the disk filled, the process died)
// gets a `\n` before the next line, so that line is never glued onto the broken one. A file
// deleted or moved away by hand is noticed (checked before a write, at most once a second) and
// its path opened again, so lines never go on into an unlinked or renamed file.

import type { Clock } from '../util/clock.js';
import { highestRotation, rotatedFile } from './file-names.js';
import type { RecordFile, RecordFileSystem } from './file-system.js';

export type RecordDropReason = 'queue_full' | 'write_error' | 'too_large' | 'closed';

export interface RecordWriterDeps {
  readonly fs: RecordFileSystem;
  readonly clock: Clock;
  readonly maxQueuedBytes: number;
  readonly maxQueuedLines: number;
  /** How long the first queued line waits for others to share its write (0: the next turn). */
  readonly flushDelayMs: number;
  /** Lines of `route` written. */
  written(route: string, n: number): void;
  /** A line of `route` not written. */
  dropped(route: string, reason: RecordDropReason): void;
  /** The file could not be opened, written or rotated. */
  failed(file: string, err: Error): void;
}

/** Queued bytes that start the pump before flushDelayMs has passed. */
export const WRITE_AT_BYTES = 256 * 1024;

/** After a failure, how long lines are dropped before the file is tried again. */
export const RETRY_AFTER_MS = 1000;

/** How often the open file is checked to be still the one its path names. */
export const RECHECK_AFTER_MS = 1000;

interface Queued {
  readonly line: string;
  readonly bytes: number;
  readonly route: string;
}

export class RecordWriter {
  readonly file: string;
  /** Set by the routes naming this file (the last compiled wins). */
  maxFileBytes: number;
  readonly #deps: RecordWriterDeps;
  #queue: Queued[] = [];
  #queuedBytes = 0;
  /** The batch being written: still held, so still inside the queue's bound. */
  #writingBytes = 0;
  #writingLines = 0;
  #pumping: Promise<void> | null = null;
  #out: RecordFile | null = null;
  #size = 0;
  /** The open file ends mid-line: the next write starts with a `\n` (the broken line stays
   *  alone on its line, and the next one is whole). */
  #midLine = false;
  /** The highest rotation number on disk, once looked up. */
  #rotation: number | null = null;
  #failedAt = -Infinity;
  /** When the open file was last checked to be still the one its path names. */
  #checkedAt = -Infinity;
  /** While the pump waits to start: its timer, and what starts it now. */
  #timer: NodeJS.Timeout | null = null;
  #kick: (() => void) | null = null;
  #closed = false;

  constructor(file: string, maxFileBytes: number, deps: RecordWriterDeps) {
    this.file = file;
    this.maxFileBytes = maxFileBytes;
    this.#deps = deps;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Queues one line (`\n`-terminated) of `route`; never waits, never throws. */
  write(line: string, route: string): void {
    if (this.#closed) return this.#deps.dropped(route, 'closed');
    const bytes = Buffer.byteLength(line);
    if (bytes > this.maxFileBytes || bytes > this.#deps.maxQueuedBytes) return this.#deps.dropped(route, 'too_large');
    if (this.#deps.clock.now() - this.#failedAt < RETRY_AFTER_MS) return this.#deps.dropped(route, 'write_error');
    if (this.#queue.length + this.#writingLines >= this.#deps.maxQueuedLines || this.#queuedBytes + this.#writingBytes + bytes > this.#deps.maxQueuedBytes) {
      return this.#deps.dropped(route, 'queue_full');
    }
    this.#queue.push({ line, bytes, route });
    this.#queuedBytes += bytes;
    if (this.#pumping === null) this.#schedule();
    else if (this.#kick !== null && this.#queuedBytes >= WRITE_AT_BYTES) this.#kick();
  }

  /** The pump starts flushDelayMs after the first queued line (0: the next turn), or as soon as
   *  WRITE_AT_BYTES are queued: lines share writes (one system call per batch, not per line). */
  #schedule(): void {
    this.#pumping = new Promise<void>((resolve) => {
      const start = (): void => {
        if (this.#timer !== null) clearTimeout(this.#timer);
        this.#timer = null;
        this.#kick = null;
        void this.#pump().then(resolve);
      };
      this.#kick = start;
      if (this.#deps.flushDelayMs > 0) this.#timer = setTimeout(start, this.#deps.flushDelayMs);
      else setImmediate(() => this.#kick?.());
    });
  }

  /** Writes what is queued, then closes the file; later lines are dropped (`closed`). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#kick?.();
    await this.#pumping;
    await this.#closeFile();
  }

  /** Resolves once the queue is empty (tests, shutdown). */
  async flushed(): Promise<void> {
    this.#kick?.();
    while (this.#pumping !== null) await this.#pumping;
  }

  async #pump(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      this.#writingBytes = this.#queuedBytes;
      this.#writingLines = batch.length;
      this.#queuedBytes = 0;
      await this.#writeBatch(batch);
      this.#writingBytes = 0;
      this.#writingLines = 0;
    }
    this.#pumping = null;
  }

  async #writeBatch(batch: readonly Queued[]): Promise<void> {
    let i = 0;
    try {
      while (i < batch.length) {
        if (this.#out !== null && !(await this.#stillNamed(this.#out))) {
          await this.#closeFile();
          this.#rotation = null; // (logrotate may have added a number of its own)
        }
        const out = this.#out ?? (await this.#open());
        let j = i;
        let bytes = 0;
        while (j < batch.length && (this.#size + bytes + batch[j]!.bytes <= this.maxFileBytes || this.#size + bytes === 0)) bytes += batch[j++]!.bytes;
        if (j === i) {
          await this.#rotate();
          continue;
        }
        const text = batch.slice(i, j).map((q) => q.line).join('');
        const lead = this.#midLine ? 1 : 0;
        await out.write(Buffer.from(lead === 1 ? '\n' + text : text));
        this.#midLine = false;
        this.#size += bytes + lead;
        this.#counted(batch, i, j);
        i = j;
      }
    } catch (err) {
      this.#failedAt = this.#deps.clock.now();
      for (; i < batch.length; i++) this.#deps.dropped(batch[i]!.route, 'write_error');
      await this.#closeFile();
      this.#deps.failed(this.file, err instanceof Error ? err : new Error(String(err)));
    }
  }

  #counted(batch: readonly Queued[], from: number, to: number): void {
    let route = batch[from]!.route;
    let n = 0;
    for (let k = from; k < to; k++) {
      if (batch[k]!.route !== route) {
        this.#deps.written(route, n);
        route = batch[k]!.route;
        n = 0;
      }
      n++;
    }
    this.#deps.written(route, n);
  }

  /** Whether the path still names `out` (asked at most once a second; in between: yes). */
  async #stillNamed(out: RecordFile): Promise<boolean> {
    const now = this.#deps.clock.now();
    if (out.isCurrent === undefined || now - this.#checkedAt < RECHECK_AFTER_MS) return true;
    this.#checkedAt = now;
    return out.isCurrent();
  }

  async #open(): Promise<RecordFile> {
    const { file, size, endsMidLine } = await this.#deps.fs.open(this.file);
    this.#out = file;
    this.#size = size;
    this.#checkedAt = this.#deps.clock.now();
    this.#midLine = endsMidLine === true;
    return file;
  }

  async #rotate(): Promise<void> {
    await this.#closeFile();
    this.#rotation ??= highestRotation(this.file, await this.#deps.fs.siblings(this.file));
    const next = this.#rotation + 1;
    await this.#deps.fs.rename(this.file, rotatedFile(this.file, next));
    this.#rotation = next;
  }

  async #closeFile(): Promise<void> {
    const out = this.#out;
    this.#out = null;
    this.#size = 0;
    if (out !== null) await out.close().catch(() => undefined);
  }
}
