// What the fault drill keeps of the proxy's JSON log lines (stdout): the breaker transitions,
// timestamped by the line's own "time" (the proxy writes its log in batches, so arrival time can
// lag by up to ~100 ms), and counts of the "falling back" and "retrying" lines by reason. The
// access lines (one per request, by far the most) are skipped after a substring test.

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
  readonly #waiters = new Set<() => void>();

  /** Feeds one stdout line; `arrivedAt` is epoch ms. */
  add(line: string, arrivedAt: number): void {
    if (line.includes('"msg":"request"')) return;
    if (line.includes('"msg":"breaker ')) this.#breaker(line, arrivedAt);
    else if (line.includes('"msg":"falling back"')) count(this.fallbackLines, field(line, 'reason'));
    else if (line.includes('"msg":"retrying"')) count(this.retryLines, field(line, 'reason'));
    else if (/"level":"(error|fatal)"/.test(line) && this.errorLines.length < 20) this.errorLines.push(line);
  }

  /** Resolves with the first transition matching `pred` (already seen or to come), or undefined after timeoutMs. */
  waitFor(pred: (t: BreakerTransition) => boolean, timeoutMs: number): Promise<BreakerTransition | undefined> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        const found = this.transitions.find(pred);
        if (found === undefined) return false;
        this.#waiters.delete(wake);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const wake = (): void => void check();
      const timer = setTimeout(() => {
        this.#waiters.delete(wake);
        resolve(undefined);
      }, timeoutMs);
      if (!check()) this.#waiters.add(wake);
    });
  }

  #breaker(line: string, arrivedAt: number): void {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const event = typeof entry['msg'] === 'string' ? EVENT_BY_MSG[entry['msg']] : undefined;
    if (event === undefined) return;
    const time = typeof entry['time'] === 'string' ? Date.parse(entry['time']) : typeof entry['time'] === 'number' ? entry['time'] : NaN;
    this.transitions.push({
      event,
      at: Number.isFinite(time) ? time : arrivedAt,
      route: String(entry['route'] ?? '?'),
      upstream: String(entry['upstream'] ?? '?'),
      requestId: typeof entry['requestId'] === 'string' ? entry['requestId'] : null,
      ...(typeof entry['reason'] === 'string' && { reason: entry['reason'] }),
    });
    for (const wake of [...this.#waiters]) wake();
  }
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** A string field of a JSON line without parsing all of it (these lines are simple). */
function field(line: string, name: string): string {
  const m = new RegExp(`"${name}":"([^"\\\\]*)"`).exec(line);
  return m?.[1] ?? '?';
}
