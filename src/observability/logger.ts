// pino JSON logs. The process logger writes to stdout through an asynchronous buffered
// destination (4 KiB chunks) so that the access log does not cost a write syscall per request;
// flushLogger() drains it before exit.

import pino, { type Logger } from 'pino';

export type { Logger };

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export function logLevelFrom(value: string | undefined): string {
  const level = (value ?? 'info').toLowerCase();
  return LEVELS.has(level) ? level : 'info';
}

const options = (level: string): pino.LoggerOptions => ({
  level,
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
});

let destination: pino.DestinationStream & { flushSync?: () => void } | null = null;

export function createProcessLogger(level: string): Logger {
  const dest = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  destination = dest;
  return pino(options(level), dest);
}

/** A logger writing to any stream (tests capture lines with it). */
export function createStreamLogger(level: string, stream: pino.DestinationStream): Logger {
  return pino(options(level), stream);
}

export function flushLogger(): void {
  try {
    destination?.flushSync?.();
  } catch {
    // stdout closed: nothing left to flush to.
  }
}
