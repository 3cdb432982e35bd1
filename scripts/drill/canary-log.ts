// What the canary drill keeps of the proxy's JSON log lines: the "canary halted" lines (the line
// itself, its "at" and its reason), and the lines at level error or fatal. The access lines (one
// per request, by far the most) are skipped after a substring test.

export interface HaltLine {
  /** Epoch ms of the halt, from the line's "at" (ISO, ms); the line's "time" if it has none. */
  readonly at: number;
  /** Epoch ms when the drill read the line (the proxy writes its log in batches). */
  readonly arrivedAt: number;
  readonly route: string;
  readonly canary: string;
  readonly primary: string;
  readonly reason: string;
  readonly requestId: string | null;
  readonly raw: string;
}

export class CanaryLog {
  readonly halts: HaltLine[] = [];
  /** Lines at level error or fatal (at most 20). */
  readonly errorLines: string[] = [];
  /** Lines that said "canary halted" but could not be read. */
  readonly unreadable: string[] = [];
  readonly #waiters = new Set<() => void>();

  add(line: string, arrivedAt: number): void {
    if (line.includes('"msg":"request"')) return;
    if (line.includes('"msg":"canary halted"')) this.#halt(line, arrivedAt);
    else if (/"level":"(error|fatal)"/.test(line) && this.errorLines.length < 20) this.errorLines.push(line);
  }

  /** The first halt line of the route (already seen or to come), or undefined after timeoutMs. */
  waitForHalt(route: string, timeoutMs: number): Promise<HaltLine | undefined> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        const found = this.halts.find((h) => h.route === route);
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
      }, Math.max(0, timeoutMs));
      if (!check()) this.#waiters.add(wake);
    });
  }

  #halt(line: string, arrivedAt: number): void {
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.unreadable.push(line);
      return;
    }
    const at = epochOf(e['at']) ?? epochOf(e['time']);
    if (at === undefined) {
      this.unreadable.push(line);
      return;
    }
    this.halts.push({
      at,
      arrivedAt,
      route: String(e['route'] ?? '?'),
      canary: String(e['canary'] ?? '?'),
      primary: String(e['primary'] ?? '?'),
      reason: String(e['reason'] ?? '?'),
      requestId: typeof e['requestId'] === 'string' ? e['requestId'] : null,
      raw: line,
    });
    for (const wake of [...this.#waiters]) wake();
  }
}

function epochOf(v: unknown): number | undefined {
  const t = typeof v === 'string' ? Date.parse(v) : typeof v === 'number' ? v : NaN;
  return Number.isFinite(t) ? t : undefined;
}
