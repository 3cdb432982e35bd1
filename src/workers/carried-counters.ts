// The group's counters never go down while the primary lives. prom-client's AggregatorRegistry
// sums the answers it is given: a worker that died (and was replaced) or did not answer a scrape
// took its counts out of the sum, which Prometheus reads as a counter reset (increase() and
// rate() then count the survivors' whole totals as new). So the primary keeps, per worker, the
// last values of its counters (and of its histograms' buckets, _sum and _count, counters too),
// and what the workers gone last said, added together into one retired set: the answers to sum
// are every live worker's kept counters, the answering workers' other metrics (gauges: never
// carried, a dead worker's connections are gone), and the retired counters. A replacement starts
// from 0 on top of its predecessor's. Only the primary's restart starts them afresh.
// Bounded: one kept set per live worker and one retired set, each at most the series a worker
// has (bounded by the routes and upstreams).

import type { MetricsAnswer } from './messages.js';

type Metric = MetricsAnswer[number];
type Value = Metric['values'][number];

/** Counter series by metric name, then by series (its metricName and labels). */
export type Counters = ReadonlyMap<string, { readonly metric: Omit<Metric, 'values'>; readonly values: ReadonlyMap<string, Value> }>;

export interface Carried {
  /** Per live worker (its cluster id): its counters' last values. */
  readonly kept: ReadonlyMap<number, Counters>;
  /** The workers gone: their last values, added together. */
  readonly retired: Counters;
}

export const NOTHING_CARRIED: Carried = { kept: new Map(), retired: new Map() };

/** One worker's answer to a scrape. */
export interface WorkerMetrics {
  readonly worker: number;
  readonly metrics: MetricsAnswer;
}

/** Summed over the workers and never going down: counters, and histograms (buckets, sum, count). */
export function isCounter(m: Metric): boolean {
  const type = String(m.type); // (a string at run time, whatever prom-client's types say)
  return (type === 'counter' || type === 'histogram') && m.aggregator === 'sum';
}

function seriesKey(v: Value): string {
  const labels = Object.entries(v.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${(v as { metricName?: string }).metricName ?? ''}\u0000${JSON.stringify(labels)}`;
}

/** `into` with `from`'s series combined by `join` (a series in one only is taken as it is). */
function combine(into: Counters, from: Counters, join: (a: number, b: number) => number): Counters {
  const out = new Map(into);
  for (const [name, m] of from) {
    const had = out.get(name);
    if (had === undefined) {
      out.set(name, m);
      continue;
    }
    const values = new Map(had.values);
    for (const [key, v] of m.values) {
      const old = values.get(key);
      values.set(key, old === undefined ? v : { ...v, value: join(old.value, v.value) });
    }
    out.set(name, { metric: had.metric, values });
  }
  return out;
}

function countersOf(answer: MetricsAnswer): Counters {
  const out = new Map<string, { metric: Omit<Metric, 'values'>; values: Map<string, Value> }>();
  for (const { values, ...metric } of answer.filter(isCounter)) out.set(metric.name, { metric, values: new Map(values.map((v) => [seriesKey(v), v])) });
  return out;
}

function answerOf(c: Counters): MetricsAnswer {
  return [...c.values()].map(({ metric, values }) => ({ ...metric, values: [...values.values()] }) as Metric);
}

/**
 * One scrape: `answers` (the workers that answered it, by cluster id) and `live` (the workers in
 * the group now). A live worker's kept counters take the larger of each kept and answered value
 * (a worker's own counters only go up, so whatever order two overlapping scrapes' answers come
 * in, the larger is the later); a worker no longer live goes to the retired set with its last
 * values (an answer from a worker gone and no longer kept is left out: it is retired already, or
 * it died before its counts were ever summed). Returns what to sum, and the state after.
 */
export function carry(before: Carried, answers: readonly WorkerMetrics[], live: ReadonlySet<number>): { readonly after: Carried; readonly sum: MetricsAnswer[] } {
  const kept = new Map(before.kept);
  const others: MetricsAnswer[] = [];
  for (const a of answers) {
    const had = kept.get(a.worker);
    if (had === undefined && !live.has(a.worker)) continue;
    kept.set(a.worker, combine(had ?? new Map(), countersOf(a.metrics), Math.max));
    if (live.has(a.worker)) others.push(a.metrics.filter((m) => !isCounter(m)));
  }
  let retired = before.retired;
  for (const [worker, counters] of kept) {
    if (live.has(worker)) continue;
    retired = combine(retired, counters, (x, y) => x + y);
    kept.delete(worker);
  }
  const sum = [...[...kept.values()].map(answerOf), ...others, answerOf(retired)].filter((a) => a.length > 0);
  return { after: { kept, retired }, sum };
}

/** The primary's carried counters: each scrape's answers in, what to sum out. */
export class CarriedCounters {
  #state = NOTHING_CARRIED;

  sum(answers: readonly WorkerMetrics[], live: ReadonlySet<number>): MetricsAnswer[] {
    const { after, sum } = carry(this.#state, answers, live);
    this.#state = after;
    return sum;
  }
}
