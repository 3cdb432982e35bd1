// Per-request metrics as plain additions into cells, one cell per label combination, resolved
// once and kept by the caller. prom-client hashes and validates the labels on every inc() and
// observe(), even through a child from labels(); a cell costs an addition (and, for a histogram,
// a scan of its bounds). The registry reads the cells when it is scraped.

import client from 'prom-client';

/** One label combination's count, kept as a plain number until the registry is read. */
export class Tally {
  pending = 0;
  constructor(readonly labels: Readonly<Record<string, string>>) {}
  inc(): void {
    this.pending++;
  }
}

/** The cell of these label values (in `names` order), made once by `make` and shared. */
function cellOf<C>(cells: Map<string, C>, names: readonly string[], values: readonly string[], make: (labels: Record<string, string>) => C): C {
  const key = values.join('\u0000');
  let c = cells.get(key);
  if (c === undefined) {
    const labels: Record<string, string> = {};
    names.forEach((name, i) => { labels[name] = values[i] ?? ''; });
    cells.set(key, (c = make(labels)));
  }
  return c;
}

/** A prom-client Counter whose per-request increments go to Tally cells, added to it when the registry is read. */
export class TalliedCounter<T extends string> {
  readonly counter: client.Counter<T>;
  readonly #cells = new Map<string, Tally>();
  readonly #labelNames: readonly T[];

  constructor(cfg: client.CounterConfiguration<T> & { labelNames: readonly T[] }) {
    const cells = this.#cells;
    this.#labelNames = cfg.labelNames;
    this.counter = new client.Counter({
      ...cfg,
      collect() {
        for (const c of cells.values()) {
          if (c.pending === 0) continue;
          const n = c.pending;
          c.pending = 0;
          this.inc(c.labels as Partial<Record<T, string>>, n);
        }
      },
    });
  }

  /** The cell of these label values (in labelNames order), made once and shared. */
  cell(...values: string[]): Tally {
    return cellOf(this.#cells, this.#labelNames, values, (labels) => {
      this.counter.inc(labels as Partial<Record<T, string>>, 0); // the series exists from its first use
      return new Tally(labels);
    });
  }
}

/** One label combination of a histogram: counts per bucket (the last is +Inf), sum and count. */
export class HistogramCell {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(readonly labels: Readonly<Record<string, string>>, readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && value > b[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

/**
 * A Prometheus histogram registered with a prom-client registry as a metric of its own (it
 * answers get() in prom-client's shape, so the text format and a cluster's aggregation work as
 * for prom-client's Histogram), whose observations are additions into cells.
 */
export class TalliedHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #labelNames: readonly string[];
  readonly #bounds: readonly number[];
  readonly #cells = new Map<string, HistogramCell>();

  constructor(cfg: { name: string; help: string; labelNames: readonly string[]; buckets: readonly number[]; registry: client.Registry }) {
    this.name = cfg.name;
    this.help = cfg.help;
    this.#labelNames = cfg.labelNames;
    this.#bounds = cfg.buckets;
    cfg.registry.registerMetric(this as unknown as client.Metric);
  }

  cell(...values: string[]): HistogramCell {
    return cellOf(this.#cells, this.#labelNames, values, (labels) => new HistogramCell(labels, this.#bounds));
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: { labels: Record<string, string | number>; value: number; metricName: string }[] } {
    const values = [];
    for (const c of this.#cells.values()) {
      let acc = 0;
      for (let i = 0; i <= this.#bounds.length; i++) {
        acc += c.counts[i]!;
        values.push({ labels: { le: i < this.#bounds.length ? this.#bounds[i]! : '+Inf', ...c.labels }, value: acc, metricName: `${this.name}_bucket` });
      }
      values.push({ labels: c.labels, value: c.sum, metricName: `${this.name}_sum` });
      values.push({ labels: c.labels, value: c.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Zeroes every cell (the callers keep their cells, so they stay registered). */
  reset(): void {
    for (const c of this.#cells.values()) {
      c.counts.fill(0);
      c.sum = 0;
      c.count = 0;
    }
  }
}
