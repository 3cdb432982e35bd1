// One route's one side (upstream and role): requests, errors and a latency histogram over the
// last 5 minutes and since start. Thirty 10-second slots, each stamped with the slot number it
// holds (time / 10 s), make the window slide without per-request timestamps: a slot found with
// an old stamp is started afresh, and reading sums the slots stamped within the window.
// A request costs a slot check, two additions and a histogram bucket. The since-start counts are
// the slots' own, added up as a slot is started afresh (and when read): not counted twice per request.

import { bucketOf, emptyHistogram, mergeHistograms, type Histogram } from '../shadow/histogram.js';
import { SLOT_MS, WINDOW_SLOTS, type Counts, type Role } from './cells.js';

/** histogram.ts's observe(), in place. */
function add(h: Histogram, bucket: number, v: number): void {
  h.buckets[bucket] = (h.buckets[bucket] ?? 0) + 1;
  h.count += 1;
  h.sumMicros += Math.round(v * 1000);
  if (h.minMs === null || v < h.minMs) h.minMs = v;
  if (h.maxMs === null || v > h.maxMs) h.maxMs = v;
}

function emptyCounts(): Counts {
  return { requests: 0, errors: 0, fellBack: 0, latency: emptyHistogram() };
}

function sum(a: Counts, b: Counts): Counts {
  return { requests: a.requests + b.requests, errors: a.errors + b.errors, fellBack: a.fellBack! + b.fellBack!, latency: mergeHistograms(a.latency, b.latency) };
}

export class SideCell {
  readonly #stamps = new Array<number>(WINDOW_SLOTS).fill(-1);
  readonly #slots: Counts[] = Array.from({ length: WINDOW_SLOTS }, emptyCounts);
  /** What the slots held when they were started afresh: with the slots', the since-start counts. */
  #retired: Counts = emptyCounts();

  constructor(readonly upstream: string, readonly role: Role) {}

  #slot(now: number): Counts {
    const stamp = Math.floor(now / SLOT_MS);
    const i = stamp % WINDOW_SLOTS;
    if (this.#stamps[i] !== stamp) {
      if (this.#stamps[i] !== -1) this.#retired = sum(this.#retired, this.#slots[i]!);
      this.#stamps[i] = stamp;
      this.#slots[i] = emptyCounts();
    }
    return this.#slots[i]!;
  }

  /** A try of this side that failed and that the fallback answered. */
  fellBack(now: number): void {
    this.#slot(now).fellBack! += 1;
  }

  record(now: number, failed: boolean, ms: number): void {
    const slot = this.#slot(now);
    slot.requests++;
    if (failed) slot.errors++;
    if (!Number.isFinite(ms)) return; // (a shadow copy without a latency, an upgraded connection)
    const v = Math.max(0, ms);
    add(slot.latency, bucketOf(v), v);
  }

  /** The slots within the last 5 minutes at `now`, summed (a new value). */
  window(now: number): Counts {
    const stamp = Math.floor(now / SLOT_MS);
    let out = emptyCounts();
    for (let i = 0; i < WINDOW_SLOTS; i++) {
      const s = this.#stamps[i]!;
      if (s <= stamp - WINDOW_SLOTS || s > stamp) continue;
      const c = this.#slots[i]!;
      out = sum(out, c);
    }
    return out;
  }

  /** The since-start counts (a new value). */
  totals(): Counts {
    let out = sum(emptyCounts(), this.#retired);
    for (let i = 0; i < WINDOW_SLOTS; i++) if (this.#stamps[i] !== -1) out = sum(out, this.#slots[i]!);
    return out;
  }
}
