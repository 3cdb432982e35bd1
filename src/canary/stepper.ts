// Checks the progressive canaries' gates: on every tick (a timer, or a test's hand), each route
// whose step has lasted stepEveryMs is judged over the step's figures (decideStep) and moves up,
// holds or halts, with one log line carrying the figures and the limits. One process decides: a
// single process over its own figures; with workers, the primary over every worker's, merged
// (`gather`), and tells the workers (`changed`), so the step is the same in all of them.

import type { Clock } from '../util/clock.js';
import type { Logger } from '../observability/logger.js';
import { LOG } from '../observability/log-messages.js';
import { LogAggregator } from '../observability/aggregate.js';
import { decideStep, type StepDecision, type StepStats } from './gates.js';
import type { CanaryProgress } from './progress.js';
import type { HaltState } from './halt.js';

/** What the stepper needs of a compiled route with a progressive canary. */
export interface SteppedRoute {
  readonly label: string;
  /** The route state's identity across processes and reloads (key and fingerprint). */
  readonly id: string;
  readonly canary: string;
  readonly primary: string;
  readonly progress: CanaryProgress;
}

export interface StepperDeps {
  /** The live table's routes with a progressive canary. */
  readonly routes: () => readonly SteppedRoute[];
  readonly clock: Clock;
  readonly logger: Logger;
  /** A gate halted this route's canary (already applied to the route's state, which the halted gauge reads). */
  readonly onHalt?: (route: SteppedRoute, halted: HaltState) => void;
  /** The due routes' figures, by id: every worker's merged (the primary). Default: this process's. */
  readonly gather?: (due: readonly SteppedRoute[]) => Promise<ReadonlyMap<string, StepStats>>;
  /** Told after a check that changed a step or halted (the primary tells its workers). */
  readonly changed?: () => void;
}

/** The text the status and the log give a canary at its last step. */
export const readyText = (canary: string): string => `ready to cut over: set upstream: ${canary}`;

/** A check that keeps failing (every tick) is logged at most once per this long, with its count. */
export const CHECK_FAILED_LOG_MS = 60_000;

export class CanaryStepper {
  readonly #deps: StepperDeps;
  readonly #failures: LogAggregator;
  #running = false;

  constructor(deps: StepperDeps) {
    this.#deps = deps;
    this.#failures = new LogAggregator(deps.logger, { clock: deps.clock, windowMs: CHECK_FAILED_LOG_MS });
  }

  /** Checks every due route once; a tick while one runs does nothing. Never rejects: a check that
   *  throws (gathering, deciding, logging, telling the workers) is logged and the next tick tries again. */
  async tick(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      await this.#tick();
    } catch (err) {
      this.#failed(err);
    } finally {
      this.#running = false;
    }
  }

  #failed(err: unknown): void {
    try {
      this.#failures.note('error', String((err as Error | null)?.message ?? err), { msg: LOG.canaryCheckFailed, err });
    } catch {
      // (a logger that throws: nothing left to tell)
    }
  }

  async #tick(): Promise<void> {
    const now = this.#deps.clock.now();
    const due = this.#deps.routes().filter((r) => r.progress.due(now));
    if (due.length === 0) return;
    const gathered = this.#deps.gather === undefined ? null : await this.#deps.gather(due);
    // A reload while the figures were gathered may have replaced a route's state: a decision on
    // the old one would halt or step nothing live.
    const live = gathered === null ? null : new Set(this.#deps.routes().map((r) => r.progress));
    let changed = false;
    for (const r of due) {
      if (live !== null && !live.has(r.progress)) continue;
      if (!r.progress.due(now)) continue; // halted meanwhile (a worker's own halt window)
      const stats = gathered === null ? r.progress.stats() : gathered.get(r.id);
      if (stats !== undefined) changed = this.#check(r, stats, now) || changed;
    }
    if (changed) this.#deps.changed?.();
  }

  /** Decides and applies one route's step; true when its step changed or it halted. */
  #check(r: SteppedRoute, stats: StepStats, now: number): boolean {
    const p = r.progress;
    const { steps, gates } = p.cfg;
    const from = p.percent;
    let d: StepDecision = decideStep(stats, gates);
    const ready = d.result === 'advance' && p.step + 1 === steps.length - 1;
    if (ready) d = { ...d, reason: `${d.reason}; ${readyText(r.canary)}` };
    const halted = p.apply(d, now);
    const line = {
      route: r.label, canary: r.canary, primary: r.primary, from, percent: p.percent, step: p.step, steps, state: p.state,
      ...d.figures, maxErrorRate: gates.maxErrorRate, maxP99Ratio: gates.maxP99Ratio, minRequests: gates.minRequests, reason: d.reason,
    };
    if (d.result === 'advance') {
      this.#deps.logger.info({ msg: LOG.canaryStepped, ...line });
      return true;
    }
    if (d.result === 'hold') {
      this.#deps.logger.info({ msg: LOG.canaryStepHeld, ...line });
      return true; // (the workers learn the next check time)
    }
    if (halted === null) return false;
    this.#deps.logger.warn({ msg: LOG.canaryHalted, ...line, percent: 0, at: halted.at });
    this.#deps.onHalt?.(r, halted);
    return true;
  }
}

/** How often the progressive canaries are looked at (each is checked once its stepEveryMs, >= 1 s, passed). */
export const CANARY_TICK_MS = 250;

/** The production ticker: every `ms`, not keeping the process alive. Returns its stop. */
export function intervalTicker(ms: number): Ticker {
  return (tick) => {
    const t = setInterval(() => void tick().catch(() => {}), ms); // (tick() logs its own failures)
    t.unref();
    return () => clearInterval(t);
  };
}

/** Calls `tick` over time; returns the function that stops it. Tests hand one they drive. */
export type Ticker = (tick: () => Promise<void>) => () => void;
