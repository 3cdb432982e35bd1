// What the fault drill keeps of the proxy's JSON log lines (stdout): the breaker transitions,
// timestamped by the line's own "time" (the proxy writes its log in batches, so arrival time can
// lag by up to ~100 ms), and counts of the "falling back" and "retrying" lines by reason. The
// access lines (one per request, by far the most) are skipped after a substring test (see
// common-log-line.ts).
import { countInto } from './common-count.js';
import { FirstMatch } from './common-first-match.js';
import { epochOf, isAccessLine, keepErrorLine, parseLogLine, requestIdOf, textOf } from './common-log-line.js';

export type BreakerEvent = 'opened' | 'half-open' | 'closed';

export interface BreakerTransition {
  readonly event: BreakerEvent;
  /** Epoch ms, from the line's "time" field (arrival time when it has none). */
  readonly at: number;
  readonly route: string;
  readonly upstream: string;
  readonly requestId: string | null;
  readonly reason?: string;
}

const EVENT_BY_MSG: Record<string, BreakerEvent> = {
  'breaker opened': 'opened',
  'breaker half-open: one trial request': 'half-open',
  'breaker closed': 'closed',
};

export class ProxyLog {
  readonly transitions: BreakerTransition[] = [];
  readonly fallbackLines = new Map<string, number>();
  readonly retryLines = new Map<string, number>();
  /** Lines at level error or fatal (at most 20), for the report. */
  readonly errorLines: string[] = [];
  readonly #transitions = new FirstMatch(this.transitions);

  /** Feeds one stdout line; `arrivedAt` is epoch ms. */
  add(line: string, arrivedAt: number): void {
    if (isAccessLine(line)) return;
    if (line.includes('"msg":"breaker ')) this.#breaker(line, arrivedAt);
    else if (line.includes('"msg":"falling back"')) countInto(this.fallbackLines, field(line, 'reason'));
    else if (line.includes('"msg":"retrying"')) countInto(this.retryLines, field(line, 'reason'));
    else keepErrorLine(this.errorLines, line);
  }

  /** Resolves with the first transition matching `pred` (already seen or to come), or undefined after timeoutMs. */
  waitFor(pred: (t: BreakerTransition) => boolean, timeoutMs: number): Promise<BreakerTransition | undefined> {
    return this.#transitions.waitFor(pred, timeoutMs);
  }

  #breaker(line: string, arrivedAt: number): void {
    const entry = parseLogLine(line);
    if (entry === undefined) return;
    const event = typeof entry['msg'] === 'string' ? EVENT_BY_MSG[entry['msg']] : undefined;
    if (event === undefined) return;
    this.transitions.push({
      event,
      at: epochOf(entry['time']) ?? arrivedAt,
      route: textOf(entry, 'route'),
      upstream: textOf(entry, 'upstream'),
      requestId: requestIdOf(entry),
      ...(typeof entry['reason'] === 'string' && { reason: entry['reason'] }),
    });
    this.#transitions.wake();
  }
}

/** A string field of a JSON line without parsing all of it (these lines are simple). */
function field(line: string, name: string): string {
  const m = new RegExp(`"${name}":"([^"\\\\]*)"`).exec(line);
  return m?.[1] ?? '?';
}
