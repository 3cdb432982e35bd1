// A JSON log line too long for one write that must stay whole (a pipe shared by --workers takes
// at most PIPE_BUF bytes whole: log-sink.ts), made to fit: its string values cut short (marked
// with "…"), more and more, and as a last resort only the fields that say what and when; the line
// says `"truncated":true`. Still one JSON object a log shipper can parse, never a torn line. Rare
// (a client's very long path, an error with a long stack): not on the hot path. Pure.

const CUTS = [1024, 256, 64] as const;

function cut(value: unknown, limit: number): unknown {
  if (typeof value === 'string') return value.length > limit ? `${value.slice(0, limit)}…` : value;
  if (Array.isArray(value)) return value.slice(0, 20).map((v) => cut(v, limit));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cut(v, limit)]));
  return value;
}

/** `line` (one JSON object and its newline) in at most `maxBytes` bytes of UTF-8. */
export function fitLine(line: string, maxBytes: number): string {
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(line) as Record<string, unknown>;
  } catch {
    fields = { msg: 'log line not JSON', line };
  }
  for (const limit of CUTS) {
    const fitted = `${JSON.stringify({ ...(cut(fields, limit) as object), truncated: true })}\n`;
    if (Buffer.byteLength(fitted) <= maxBytes) return fitted;
  }
  const { level, time, pid, hostname, msg, requestId } = fields;
  return `${JSON.stringify({ ...(cut({ level, time, pid, hostname, msg, requestId }, 64) as object), truncated: true })}\n`;
}
