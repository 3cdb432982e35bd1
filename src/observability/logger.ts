// pino JSON logs. The process logger writes to stdout asynchronously: a line is written at once
// when no write is in flight, and lines logged meanwhile are batched into the next write, so a busy
// access log costs far fewer syscalls than lines, and a quiet one is never held back.
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
  const dest = pino.destination({ dest: 1, sync: false, minLength: 0 });
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
