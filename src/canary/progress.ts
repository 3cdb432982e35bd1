// A progressive canary's live state (canary.steps), one per route state: the current step and its
// live percentage (the one field the split reads), when the step started, this process's figures
// over the step, and the last gate check. It decides nothing by itself: the stepper (stepper.ts)
// checks the gates every stepEveryMs, here or (workers) in the primary, and applies the decision;
// a worker applies the primary's (`applySnapshot`). It lives in the route's state, so it survives
// reloads that leave the route unchanged and starts afresh at the first step when it changed.

import type { CanaryProgressView } from '../status/types.js';
import type { Clock } from '../util/clock.js';
import { countAnswer, emptyStepStats, type CanaryGates, type GateFigures, type StepDecision, type StepStats } from './gates.js';
import type { CanaryHalt, HaltState } from './halt.js';

export interface ProgressConfig {
  readonly steps: readonly number[];
  readonly stepEveryMs: number;
  readonly gates: CanaryGates;
}

export interface LastCheck extends GateFigures {
  readonly at: number;
  readonly result: 'advanced' | 'held' | 'halted';
  readonly reason: string;
}

/** What the primary tells every worker (and a worker started later): plain JSON. */
export interface ProgressSnapshot {
  readonly step: number;
  readonly stepStartedAt: number;
  readonly nextCheckAt: number;
  readonly last: LastCheck | null;
  readonly halted: HaltState | null;
}

const RESULT = { advance: 'advanced', hold: 'held', halt: 'halted' } as const;

export class CanaryProgress {
  readonly cfg: ProgressConfig;
  readonly #halt: CanaryHalt;
  /** The percentage the split sends to the canary now. */
  percent: number;
  #step = 0;
  #stepStartedAt: number;
  #nextCheckAt: number;
  #stats: StepStats = emptyStepStats();
  #last: LastCheck | null = null;

  constructor(cfg: ProgressConfig, halt: CanaryHalt, clock: Clock) {
    this.cfg = cfg;
    this.#halt = halt;
    this.percent = cfg.steps[0]!;
    this.#stepStartedAt = clock.now();
    this.#nextCheckAt = this.#stepStartedAt + cfg.stepEveryMs;
  }

  get step(): number {
    return this.#step;
  }

  get state(): 'climbing' | 'ready' | 'halted' {
    if (this.#halt.halted !== null) return 'halted';
    return this.#step === this.cfg.steps.length - 1 ? 'ready' : 'climbing';
  }

  /** Whether the gates are due at `now` (never once ready or halted). */
  due(now: number): boolean {
    return this.state === 'climbing' && now >= this.#nextCheckAt;
  }

  /** One answer of the route (`canary`: which side), counted while climbing. */
  record(canary: boolean, failed: boolean, ms: number): void {
    if (this.state === 'climbing') countAnswer(this.#stats, canary, failed, ms);
  }

  /** This process's figures over the current step. */
  stats(): StepStats {
    return this.#stats;
  }

  /** Applies a gate check made at `now`; a halt is returned for the caller to log and relay. */
  apply(d: StepDecision, now: number): HaltState | null {
    this.#last = { at: now, ...d.figures, result: RESULT[d.result], reason: d.reason };
    this.#nextCheckAt = now + this.cfg.stepEveryMs;
    if (d.result === 'advance') this.#enter(this.#step + 1, now);
    if (d.result !== 'halt') return null;
    const halted = { at: new Date(now).toISOString(), reason: `progressive canary at ${this.percent}%: ${d.reason}` };
    return this.#halt.haltFrom(halted) ? halted : null;
  }

  #enter(step: number, now: number): void {
    this.#step = Math.min(step, this.cfg.steps.length - 1);
    this.percent = this.cfg.steps[this.#step]!;
    this.#stepStartedAt = now;
    this.#nextCheckAt = now + this.cfg.stepEveryMs;
    this.#stats = emptyStepStats();
  }

  snapshot(): ProgressSnapshot {
    return { step: this.#step, stepStartedAt: this.#stepStartedAt, nextCheckAt: this.#nextCheckAt, last: this.#last, halted: this.#halt.halted };
  }

  /** The decider's state (a worker told by the primary). Returns what changed: the step, a halt, or nothing. */
  applySnapshot(s: ProgressSnapshot): 'step' | 'halt' | null {
    this.#last = s.last;
    this.#nextCheckAt = s.nextCheckAt;
    if (s.halted !== null) return this.#halt.haltFrom(s.halted) ? 'halt' : null;
    if (s.step === this.#step) return null;
    this.#enter(s.step, s.stepStartedAt);
    return 'step';
  }

  view(): CanaryProgressView {
    const state = this.state;
    const last = this.#last;
    const iso = (ms: number): string => new Date(ms).toISOString();
    return {
      percent: state === 'halted' ? 0 : this.percent,
      steps: this.cfg.steps,
      step: this.#step,
      state,
      stepStartedAt: iso(this.#stepStartedAt),
      nextCheckAt: state === 'climbing' ? iso(this.#nextCheckAt) : null,
      last:
        last === null
          ? null
          : { at: iso(last.at), requests: last.requests, errorRate: last.errorRate, p99Ms: last.p99Ms, primaryP99Ms: last.primaryP99Ms, result: last.result, reason: last.reason },
    };
  }
}
