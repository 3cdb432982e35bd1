// What the fault drill reads from the proxy's admin API: the resilience metrics (Prometheus text
// from GET /metrics) and the breaker state of a route in GET /routes.

export interface Counted {
  readonly total: number;
  /** By the value of one label (e.g. reason). */
  readonly by: ReadonlyMap<string, number>;
}

export interface ResilienceMetrics {
  readonly retries: Counted;
  readonly fallbacks: Counted;
  /** strangler_breaker_state for the route (0 closed, 1 open, 2 half-open); undefined when absent. */
  readonly breakerState: number | undefined;
}

export async function get(url: string, timeoutMs = 3000): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return text;
}

export async function readResilienceMetrics(adminUrl: string, route: string): Promise<ResilienceMetrics> {
  const samples = parsePrometheus(await get(`${adminUrl}/metrics`));
  const ofRoute = (name: string) => samples.filter((s) => s.name === name && s.labels['route'] === route);
  const counted = (name: string, by: string): Counted => {
    const map = new Map<string, number>();
    let total = 0;
    for (const s of ofRoute(name)) {
      total += s.value;
      const key = s.labels[by] ?? '?';
      map.set(key, (map.get(key) ?? 0) + s.value);
    }
    return { total, by: map };
  };
  const state = ofRoute('strangler_breaker_state')[0];
  return {
    retries: counted('strangler_upstream_retries_total', 'reason'),
    fallbacks: counted('strangler_fallbacks_total', 'reason'),
    breakerState: state?.value,
  };
}

/** routes[i].state.breaker.state of the route with this prefix in GET /routes. */
export async function readBreakerState(adminUrl: string, prefix: string): Promise<string> {
  const table = JSON.parse(await get(`${adminUrl}/routes`)) as { routes?: { prefix?: string; state?: { breaker?: { state?: string } | null } }[] };
  const route = table.routes?.find((r) => r.prefix === prefix);
  if (route === undefined) return `no route ${prefix} in /routes`;
  return route.state?.breaker?.state ?? 'no breaker state in /routes';
}

export function subtract(after: Counted, before: Counted): Counted {
  const by = new Map<string, number>();
  for (const [k, v] of after.by) {
    const d = v - (before.by.get(k) ?? 0);
    if (d !== 0) by.set(k, d);
  }
  return { total: after.total - before.total, by };
}

export interface PromSample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

export function parsePrometheus(text: string): PromSample[] {
  const out: PromSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    out.push({ name: m[1]!, labels, value: Number(m[4]) });
  }
  return out;
}
