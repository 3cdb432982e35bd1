// A dead or silent worker's /status cells and shadow reports stay in the group's answer, as its
// counters stay in /metrics (carried-counters.ts): the primary keeps each live worker's last
// answer, and folds the last answers of the workers gone into one retired value. Without it, a
// worker killed after 30,000 requests took them out of /status's "since start", and its 900
// compared shadow requests out of the report (a verdict needs 1,000). A replacement starts from
// nothing on top. Only the primary's restart starts afresh. Bounded: one value per live worker,
// and one retired value.

/** One worker's answer. */
export interface WorkerAnswer<T> {
  readonly worker: number;
  readonly value: T;
}

export interface CarryRules<T> {
  /** Two values as one (the retired value and a worker just gone). */
  readonly fold: (a: T, b: T) => T;
  /** What of a gone worker's last answer stays (its figures of the last minutes, its live state:
   *  not those). */
  readonly retire: (v: T) => T;
}

export class CarriedAnswers<T> {
  readonly #rules: CarryRules<T>;
  readonly #kept = new Map<number, T>();
  #retired: T | null = null;

  constructor(rules: CarryRules<T>) {
    this.#rules = rules;
  }

  /** The values to merge into the group's answer: every live worker's (its answer now, or the
   *  last it gave), then the retired value. `live`: the workers running now (cluster ids). An
   *  answer from a worker that is not live is its last one (it died while answering), when it
   *  had answered before; one that was never heard from takes nothing with it. */
  answers(theirs: readonly WorkerAnswer<T>[], live: ReadonlySet<number>): T[] {
    for (const a of theirs) if (live.has(a.worker) || this.#kept.has(a.worker)) this.#kept.set(a.worker, a.value);
    for (const [worker, value] of this.#kept) {
      if (live.has(worker)) continue;
      this.#kept.delete(worker);
      const gone = this.#rules.retire(value);
      this.#retired = this.#retired === null ? gone : this.#rules.fold(this.#retired, gone);
    }
    const out = [...this.#kept.values()];
    if (this.#retired !== null) out.push(this.#retired);
    return out;
  }

  /** Every value kept, changed by `f` (a reset of the shadow report). */
  update(f: (v: T) => T): void {
    for (const [worker, value] of this.#kept) this.#kept.set(worker, f(value));
    if (this.#retired !== null) this.#retired = f(this.#retired);
  }
}
