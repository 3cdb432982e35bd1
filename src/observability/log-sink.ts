// Where the process log's chunks go, chosen once from what stdout is. A chunk is whole lines.
// - A pipe or a socket (a container runtime's log pipe, journald, `| tee`): Node's own stdout
//   stream, which writes without blocking and without a thread. One chunk in flight. Once other
//   processes write to the pipe too (--workers: shared()), each chunk is at most PIPE_BUF bytes:
//   the kernel writes such a chunk into a pipe whole or not at all, so their lines never
//   interleave mid-line, even while the reader lags. (Larger writes, or writes merged by the
//   stream, may be split, and were: 26 torn lines in 18,000 with two workers and a slow reader.)
//   A lone writer keeps 16 KiB chunks: a quarter of the writes (and of the reader's wake-ups).
// - /dev/null or another character device that is not a terminal: synchronous writes; they
//   cannot wait on anyone.
// - Anything else (a regular file, a terminal, which a user can pause): sonic-boom's writer,
//   which writes from libuv's thread pool, so a slow disk or a paused terminal never stops the
//   proxy.
// Whatever waits is bounded (maxBacklog bytes); past it whole chunks are dropped and reported
// through onDrop, never silently.

import { fstatSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import pino from 'pino';

/** Linux's PIPE_BUF: a pipe write of at most this many bytes is atomic. */
export const PIPE_ATOMIC_BYTES = 4096;
/** The chunk size where atomicity is not at stake. */
const CHUNK_BYTES = 16_384;

export interface ChunkSink {
  /** The largest chunk it takes (a line longer than this is written alone). */
  readonly chunkBytes: number;
  /** Each write must stay whole (other processes write to the same pipe): no write over chunkBytes. */
  readonly whole?: boolean;
  /** Other processes write to the same descriptor from now on. */
  shared?(): void;
  /** It is done with a chunk when write() returns (the chunk may be a view, and refilled after). */
  readonly writesAtOnce?: boolean;
  write(chunk: Buffer): void;
  /** Writes out what waits; resolves when done, or after `boundMs` with the bytes left unwritten. */
  close(boundMs: number): Promise<number>;
}

type OnDrop = (bytes: number) => void;

/** A writable stream that calls back once a write is done (process.stdout on a pipe or a socket). */
export interface ChunkStream {
  write(chunk: Buffer, done: (err?: Error | null) => void): unknown;
}

/** Through a non-blocking stream, one chunk at a time, the rest queued up to `maxBacklog` bytes. */
export class StreamSink implements ChunkSink {
  chunkBytes = CHUNK_BYTES;
  whole = false;
  readonly #out: ChunkStream;
  readonly #maxBacklog: number;
  readonly #onDrop: OnDrop;
  readonly #queue: Buffer[] = [];
  #queued = 0;
  /** The bytes of the write in flight (0: none). */
  #writing = 0;
  #broken = false;
  #idle: (() => void) | null = null;

  constructor(out: ChunkStream, maxBacklog: number, onDrop: OnDrop) {
    this.#out = out;
    this.#maxBacklog = maxBacklog;
    this.#onDrop = onDrop;
  }

  shared(): void {
    this.chunkBytes = PIPE_ATOMIC_BYTES;
    this.whole = true;
  }

  write(chunk: Buffer): void {
    if (this.#broken) return this.#onDrop(chunk.length);
    if (this.#writing === 0) return this.#send(chunk);
    if (this.#queued + chunk.length > this.#maxBacklog) return this.#onDrop(chunk.length);
    this.#queue.push(chunk);
    this.#queued += chunk.length;
  }

  #send(chunk: Buffer): void {
    this.#writing = chunk.length;
    this.#out.write(chunk, this.#written);
  }

  readonly #written = (err?: Error | null): void => {
    if (err) {
      this.#broken = true; // the reader is gone (EPIPE): the chunk and all that waits are lost
      this.#onDrop(this.#writing + this.#queued);
      this.#queue.length = 0;
      this.#queued = 0;
    }
    const next = this.#queue.shift();
    if (next !== undefined) {
      this.#queued -= next.length;
      return this.#send(next);
    }
    this.#writing = 0;
    this.#idle?.();
  };

  close(boundMs: number): Promise<number> {
    if (this.#writing === 0) return Promise.resolve(0);
    return new Promise((resolve) => {
      const bound = setTimeout(() => resolve(this.#writing + this.#queued), boundMs);
      this.#idle = () => {
        clearTimeout(bound);
        resolve(0);
      };
    });
  }
}

/** Synchronous writes to a descriptor that never makes a writer wait (/dev/null). */
class SyncSink implements ChunkSink {
  readonly chunkBytes = CHUNK_BYTES;
  readonly writesAtOnce = true;
  readonly #fd: number;
  readonly #onDrop: OnDrop;

  constructor(fd: number, onDrop: OnDrop) {
    this.#fd = fd;
    this.#onDrop = onDrop;
  }

  write(chunk: Buffer): void {
    try {
      for (let at = 0; at < chunk.length; ) at += writeSync(this.#fd, chunk, at);
    } catch {
      this.#onDrop(chunk.length);
    }
  }

  close(): Promise<number> {
    return Promise.resolve(0);
  }
}

type Sonic = pino.DestinationStream & {
  end(): void;
  on(event: 'error' | 'drop' | 'close', fn: (arg: unknown) => void): void;
};

/** sonic-boom's asynchronous writer (libuv's thread pool). */
class ThreadPoolSink implements ChunkSink {
  readonly chunkBytes = CHUNK_BYTES;
  readonly #out: Sonic;

  constructor(fd: number, maxBacklog: number, onDrop: OnDrop) {
    this.#out = pino.destination({ dest: fd, sync: false, minLength: 0, maxLength: maxBacklog, contentMode: 'buffer' } as Parameters<typeof pino.destination>[0]) as Sonic;
    this.#out.on('error', () => {}); // the descriptor is gone: there is nowhere left to say so
    this.#out.on('drop', (data) => onDrop((data as Buffer).length));
  }

  write(chunk: Buffer): void {
    this.#out.write(chunk as unknown as string);
  }

  close(boundMs: number): Promise<number> {
    return new Promise((resolve) => {
      const bound = setTimeout(() => resolve(0), boundMs); // (sonic-boom does not say how much waits)
      this.#out.on('close', () => {
        clearTimeout(bound);
        resolve(0);
      });
      try {
        this.#out.end();
      } catch {
        clearTimeout(bound);
        resolve(0);
      }
    });
  }
}

/** The sink for descriptor `fd` as it is; `stream` is Node's stream on it (process.stdout for 1),
 *  used when `fd` is a pipe or a socket. */
export function sinkFor(fd: number, stream: ChunkStream, maxBacklog: number, onDrop: OnDrop): ChunkSink {
  let kind: 'stream' | 'sync' | 'pool' = 'pool';
  try {
    const st = fstatSync(fd);
    if (st.isFIFO() || st.isSocket()) kind = 'stream';
    else if (st.isCharacterDevice() && !isatty(fd)) kind = 'sync';
  } catch {
    // (not a descriptor we can look at: the thread pool's writer copes with anything)
  }
  if (kind === 'stream') return new StreamSink(stream, maxBacklog, onDrop);
  if (kind === 'sync') return new SyncSink(fd, onDrop);
  return new ThreadPoolSink(fd, maxBacklog, onDrop);
}
