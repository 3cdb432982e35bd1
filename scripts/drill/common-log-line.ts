// Reading the proxy's JSON log lines (stdout) in the fault and canary drills: the access lines
// (one per request, by far the most) are told apart by a substring test and skipped; the few
// lines a drill wants are parsed whole.

export type LogEntry = Record<string, unknown>;

/** An access line (one per request), by a substring test. */
export function isAccessLine(line: string): boolean {
  return line.includes('"msg":"request"');
}

/** Keeps a line at level error or fatal, up to 20 of them, for the report. */
export function keepErrorLine(errorLines: string[], line: string): void {
  if (/"level":"(error|fatal)"/.test(line) && errorLines.length < 20) errorLines.push(line);
}

/** The line's fields; undefined when it is not JSON. */
export function parseLogLine(line: string): LogEntry | undefined {
  try {
    return JSON.parse(line) as LogEntry;
  } catch {
    return undefined;
  }
}

/** Epoch ms from an ISO string or a number; undefined when it is neither a time nor finite. */
export function epochOf(v: unknown): number | undefined {
  const t = typeof v === 'string' ? Date.parse(v) : typeof v === 'number' ? v : NaN;
  return Number.isFinite(t) ? t : undefined;
}

/** A field as text, `?` when absent. */
export function textOf(e: LogEntry, key: string): string {
  return String(e[key] ?? '?');
}

export function requestIdOf(e: LogEntry): string | null {
  return typeof e['requestId'] === 'string' ? e['requestId'] : null;
}
