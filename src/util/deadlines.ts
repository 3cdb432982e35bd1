// Many deadlines of one duration behind one timer: what Node's own timer lists do, without a
// Timeout object, a list insert and a removal for each. Every entry is `now + ms` for the same
// ms, so entries added in turn stay in deadline order: adding appends, removing unlinks, and one
// timer waits for the earliest. Removing the earliest leaves that timer as it is: it fires, finds
// nothing due, and waits again for the new earliest. It is unref'd: whatever an entry guards (a
// request under way) keeps the process alive by its own sockets.
// Used for timeoutMs (a route's, a try's share of it, a shadow copy's), a clock every proxied
// request starts and nearly always stops within milliseconds: a Timeout per request was ~1.6% of
// the proxy's CPU per request, of which this list saves ~1.2% (measured with two proxies loaded
// together).

/** What a deadline is for: told once it has passed. */
export interface Expiring {
  deadlinePassed(): void;
}

/** One deadline in a list. */
export class Deadline {
  prev: Deadline | null = null;
  next: Deadline | null = null;
  /** Still in its list (not cancelled, not yet expired). */
  live = true;

  constructor(
    readonly at: number,
    readonly target: Expiring,
    readonly list: DeadlineList,
  ) {}

  /** Its target will not be told (a no-op once told). */
  cancel(): void {
    this.list.remove(this);
  }
}

/** The clock and the timer a list runs on (tests hand in their own). */
export interface DeadlineTimers {
  /** Milliseconds on a monotonic clock, like performance.now(). */
  now(): number;
  /** Calls `fn` once, `ms` from now, without keeping the process alive. */
  after(fn: () => void, ms: number): void;
}

export const systemDeadlineTimers: DeadlineTimers = {
  now: () => performance.now(),
  after: (fn, ms) => void setTimeout(fn, ms).unref(),
};

export class DeadlineList {
  readonly #ms: number;
  readonly #timers: DeadlineTimers;
  #head: Deadline | null = null;
  #tail: Deadline | null = null;
  #armed = false;

  constructor(ms: number, timers: DeadlineTimers = systemDeadlineTimers) {
    this.#ms = ms;
    this.#timers = timers;
  }

  /** `target.deadlinePassed()` is called once, `ms` from now, unless the deadline is removed before. */
  add(target: Expiring): Deadline {
    const d = new Deadline(this.#timers.now() + this.#ms, target, this);
    if (this.#tail === null) this.#head = d;
    else {
      d.prev = this.#tail;
      this.#tail.next = d;
    }
    this.#tail = d;
    if (!this.#armed) this.#arm(this.#ms);
    return d;
  }

  remove(d: Deadline): void {
    if (!d.live) return;
    d.live = false;
    if (d.prev === null) this.#head = d.next;
    else d.prev.next = d.next;
    if (d.next === null) this.#tail = d.prev;
    else d.next.prev = d.prev;
    d.prev = d.next = null;
  }

  /** Deadlines waiting. */
  get size(): number {
    let n = 0;
    for (let d = this.#head; d !== null; d = d.next) n++;
    return n;
  }

  #arm(ms: number): void {
    this.#armed = true;
    this.#timers.after(this.#fire, ms);
  }

  readonly #fire = (): void => {
    this.#armed = false;
    const now = this.#timers.now();
    for (let d = this.#head; d !== null && d.at <= now; d = this.#head) {
      this.remove(d);
      d.target.deadlinePassed();
    }
    // (A timer may fire a fraction of a millisecond early by this clock: it waits at least 1 ms more.)
    if (this.#head !== null && !this.#armed) this.#arm(Math.max(1, Math.ceil(this.#head.at - now)));
  };
}

const lists = new Map<number, DeadlineList>();

/** The process's list for deadlines `ms` away (one per duration, as Node keeps its timer lists). */
export function deadlinesOf(ms: number): DeadlineList {
  let list = lists.get(ms);
  if (list === undefined) lists.set(ms, (list = new DeadlineList(ms)));
  return list;
}
