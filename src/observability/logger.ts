// pino JSON logs. Lines are collected in memory and handed to stdout in 16 KiB chunks, at least
// every 100 ms, through sonic-boom's asynchronous writer:
// - cheap: measured ~0.3 us of CPU per line (a write syscall per ~60 lines), against ~2.2 us for
//   sonic-boom writing each line itself and ~0.7 us for its synchronous mode;
// - never blocking: a stdout nobody reads (a stalled log shipper, a paused terminal) must not
//   stop the proxy. The backlog is bounded (MAX_BACKLOG); past it whole chunks are dropped and
//   counted (droppedLogBytes(), exported as strangler_log_dropped_bytes_total), never silently.
// flushLogger() writes out what is pending before exit, bounded: sonic-boom's flushSync() retries
// a dead stdout (EPIPE) forever, so it is never used.

import pino, { type Logger } from 'pino';

export type { Logger };

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
const FLUSH_EVERY_MS = 100;
const CHUNK = 16_384;
const MAX_BACKLOG = 16 * 1024 * 1024;

/** One of pino's level names (what LOG_LEVEL and PUT /log-level take). */
export function isLogLevel(value: string): boolean {
  return LEVELS.has(value);
}

export function logLevelFrom(value: string | undefined): string {
  const level = (value ?? 'info').toLowerCase();
  return LEVELS.has(level) ? level : 'info';
}

// ISO time: the date and time to the second formatted once per second, the milliseconds added
// once per millisecond (toISOString costs ~1.8 us; at a few thousand lines a second nearly every
// line falls in a new millisecond).
let lastMs = 0;
let lastTime = '';
let lastSecond = -1;
let secondPrefix = '';
function isoTime(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    const second = Math.floor(now / 1000);
    if (second !== lastSecond) {
      lastSecond = second;
      secondPrefix = `,"time":"${new Date(second * 1000).toISOString().slice(0, 20)}`;
    }
    const ms = now - second * 1000;
    lastTime = `${secondPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z"`;
  }
  return lastTime;
}

const options = (level: string): pino.LoggerOptions => ({
  level,
  timestamp: isoTime,
  formatters: { level: (label) => ({ level: label }) },
});

type Sonic = pino.DestinationStream & {
  end(): void;
  on(event: 'error' | 'drop' | 'close', fn: (arg: unknown) => void): void;
};

/** pino's destination: batches lines into chunks for the asynchronous writer. */
class Batching implements pino.DestinationStream {
  readonly #out: Sonic;
  #pending = '';

  constructor(out: Sonic) {
    this.#out = out;
  }

  write(line: string): void {
    this.#pending += line;
    if (this.#pending.length >= CHUNK) this.flush();
  }

  flush(): void {
    if (this.#pending === '') return;
    const chunk = this.#pending;
    this.#pending = '';
    this.#out.write(chunk);
  }
}

let destination: { batching: Batching; out: Sonic } | null = null;
let dropped = 0;

export function droppedLogBytes(): number {
  return dropped;
}

export function createProcessLogger(level: string): Logger {
  const out = pino.destination({ dest: 1, sync: false, minLength: 0, maxLength: MAX_BACKLOG }) as Sonic;
  out.on('error', () => {}); // stdout is gone: there is nowhere left to say so
  out.on('drop', (data) => {
    dropped += Buffer.byteLength(String(data));
  });
  const batching = new Batching(out);
  destination = { batching, out };
  setInterval(() => batching.flush(), FLUSH_EVERY_MS).unref();
  return pino(options(level), batching);
}

/** A logger writing to any stream (tests capture lines with it). */
export function createStreamLogger(level: string, stream: pino.DestinationStream): Logger {
  return pino(options(level), stream);
}

/** Before exit: writes out what is pending and closes the writer; resolves when done, or after 1 s. */
export function flushLogger(): Promise<void> {
  const d = destination;
  if (d === null) return Promise.resolve();
  destination = null;
  d.batching.flush();
  return new Promise((resolve) => {
    const bound = setTimeout(resolve, 1000);
    d.out.on('close', () => {
      clearTimeout(bound);
      resolve();
    });
    try {
      d.out.end();
    } catch {
      clearTimeout(bound);
      resolve();
    }
  });
}
