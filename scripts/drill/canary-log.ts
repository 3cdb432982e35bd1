// What the canary drill keeps of the proxy's JSON log lines: the "canary halted" lines (the line
// itself, its "at" and its reason), and the lines at level error or fatal. The access lines (one
// per request, by far the most) are skipped after a substring test (see common-log-line.ts).
import { FirstMatch } from './common-first-match.js';
import { epochOf, isAccessLine, keepErrorLine, parseLogLine, requestIdOf, textOf } from './common-log-line.js';

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
  readonly #halts = new FirstMatch(this.halts);

  add(line: string, arrivedAt: number): void {
    if (isAccessLine(line)) return;
    if (line.includes('"msg":"canary halted"')) this.#halt(line, arrivedAt);
    else keepErrorLine(this.errorLines, line);
  }

  /** The first halt line of the route (already seen or to come), or undefined after timeoutMs. */
  waitForHalt(route: string, timeoutMs: number): Promise<HaltLine | undefined> {
    return this.#halts.waitFor((h) => h.route === route, timeoutMs);
  }

  #halt(line: string, arrivedAt: number): void {
    const e = parseLogLine(line);
    const at = e === undefined ? undefined : (epochOf(e['at']) ?? epochOf(e['time']));
    if (e === undefined || at === undefined) {
      this.unreadable.push(line);
      return;
    }
    this.halts.push({
      at,
      arrivedAt,
      route: textOf(e, 'route'),
      canary: textOf(e, 'canary'),
      primary: textOf(e, 'primary'),
      reason: textOf(e, 'reason'),
      requestId: requestIdOf(e),
      raw: line,
    });
    this.#halts.wake();
  }
}
