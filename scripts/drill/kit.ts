// What every drill scenario shares: one clock, the number formats, the admin
// reader (GET /metrics and /routes), and the log reader (the proxy's JSON lines, access lines
// skipped by a substring test, the rest parsed and kept with their arrival).
import { setTimeout as sleep } from 'node:timers/promises';
import { LOG, msgField, type LogMessage } from '../../src/observability/log-messages.js';
import { countInto } from '../lib/stats.js';

/** Epoch ms with sub-ms resolution: the drill's send times and the proxy's log times on one line. */
export const epochMs = (): number => performance.timeOrigin + performance.now();
export async function sleepUntil(at: number): Promise<void> {
  const wait = at - epochMs();
  if (wait > 0) await sleep(wait);
}

export const int = (n: number): string => Math.round(n).toLocaleString('en-US');
export const secs = (n: number): string => `${(n / 1000).toFixed(3)} s`;

// --- the admin reader ----------------------------------------------------------------------
export interface PromSample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}
export async function adminGet(url: string, timeoutMs = 3000): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return text;
}
export function parsePrometheus(text: string): PromSample[] {
  const out: PromSample[] = [];
  for (const line of text.split('\n')) {
    const m = line.startsWith('#') ? null : /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    out.push({ name: m[1]!, labels, value: Number(m[4]) });
  }
  return out;
}
export interface Admin {
  metrics(): Promise<PromSample[]>;
  routes(): Promise<{ version?: string; lastRejected?: unknown; routes?: RouteShown[] }>;
  route(prefix: string): Promise<RouteShown | undefined>;
}
export interface RouteShown {
  prefix?: string;
  upstream?: string;
  state?: { breaker?: { state?: string } | null; canary?: { halted?: { at?: string; reason?: string } | null; window?: { requests?: number; errors?: number } } };
}
export function admin(adminUrl: string): Admin {
  const routes = async () => JSON.parse(await adminGet(`${adminUrl}/routes`)) as Awaited<ReturnType<Admin['routes']>>;
  return {
    metrics: async () => parsePrometheus(await adminGet(`${adminUrl}/metrics`)),
    routes,
    route: async (prefix) => (await routes()).routes?.find((r) => r.prefix === prefix),
  };
}
/** The values of metric `name` with these labels, summed, grouped by label `by` (total under ''). */
export function metricBy(samples: readonly PromSample[], name: string, labels: Record<string, string>, by?: string): Map<string, number> {
  const out = new Map<string, number>([['', 0]]);
  for (const s of samples) {
    if (s.name !== name || Object.entries(labels).some(([k, v]) => s.labels[k] !== v)) continue;
    countInto(out, '', s.value);
    if (by !== undefined) countInto(out, s.labels[by] ?? '?', s.value);
  }
  return out;
}

// --- the log reader ------------------------------------------------------------------------
export type LogEntry = Record<string, unknown> & { readonly arrivedAt: number; readonly raw: string };
const WATCHED = new Set<string>(Object.values(LOG).filter((m) => m !== LOG.request));

/** The proxy's stdout: every line but the access lines, parsed, in arrival order; error lines kept. */
export class ProxyLog {
  readonly entries: LogEntry[] = [];
  readonly errorLines: string[] = [];
  readonly #waiters = new Set<() => void>();
  readonly #access = msgField(LOG.request);

  add(line: string, arrivedAt = epochMs()): void {
    if (line.includes(this.#access)) return;
    if (/"level":("error"|"fatal"|50|60)[,}]/.test(line) && this.errorLines.length < 50) this.errorLines.push(line);
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if (typeof e['msg'] !== 'string' || !WATCHED.has(e['msg']) || this.entries.length > 100_000) return;
    this.entries.push({ ...e, arrivedAt, raw: line });
    for (const wake of [...this.#waiters]) wake();
  }
  lines(...msgs: LogMessage[]): LogEntry[] {
    return this.entries.filter((e) => msgs.includes(e['msg'] as LogMessage));
  }
  /** The first entry matching (seen already or to come), or undefined after timeoutMs. */
  waitFor(pred: (e: LogEntry) => boolean, timeoutMs: number): Promise<LogEntry | undefined> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        const found = this.entries.find(pred);
        if (found === undefined) return false;
        done(found);
        return true;
      };
      const done = (e: LogEntry | undefined): void => {
        this.#waiters.delete(check);
        clearTimeout(timer);
        resolve(e);
      };
      // On expiry, let pending I/O run first: a line already in the pipe counts.
      const timer = setTimeout(() => setImmediate(() => check() || done(undefined)), Math.max(0, timeoutMs));
      if (!check()) this.#waiters.add(check);
    });
  }
  /** The proxy's error and fatal lines: how many, and the first 5 (cut at 300 characters). */
  errorSection(): string[] {
    const l = this.errorLines;
    return l.length ? [`proxy error lines (${l.length}, first 5):`, ...l.slice(0, 5).map((x) => `  ${x.length > 300 ? x.slice(0, 300) + '...' : x}`)] : [];
  }
}
/** The `n` most frequent errors of a load, one line each. */
export const topErrors = (errors: ReadonlyMap<string, number>, n: number): string[] =>
  [...errors].sort((a, b) => b[1] - a[1]).slice(0, n).map(([what, c]) => `  ${int(c).padStart(7)} x ${what}`);
/** A scenario's result: its summary lines, the proxy's error lines, then the verdict (PASS, or FAIL with every reason). */
export function verdictOf(out: readonly string[], log: ProxyLog, reasons: readonly string[], pass: () => string): { pass: boolean; verdict: string; summary: string } {
  const verdict = reasons.length === 0 ? pass() : `FAIL: ${reasons.join('; ')}`;
  return { pass: reasons.length === 0, verdict, summary: [...out, ...log.errorSection(), '', verdict].join('\n') + '\n' };
}
/** Epoch ms of an ISO string or a number. */
export function epochOf(v: unknown): number | undefined {
  const t = typeof v === 'string' ? Date.parse(v) : typeof v === 'number' ? v : NaN;
  return Number.isFinite(t) ? t : undefined;
}
export const text = (e: Record<string, unknown>, k: string): string => String(e[k] ?? '?');
