// A table's progressive canaries as the stepper and the workers' messages see them: each route
// state known by its key and fingerprint (the same in every process running the same route,
// and across reloads that leave the route unchanged, exactly when its state is kept).

import type { StepStats } from '../canary/gates.js';
import type { ProgressSnapshot } from '../canary/progress.js';
import type { HaltState } from '../canary/halt.js';
import type { SteppedRoute } from '../canary/stepper.js';
import type { RouteTable } from './table.js';

/** One route's step, from the deciding process (the primary) to the others. */
export interface StepSnapshot extends ProgressSnapshot {
  readonly id: string;
}

/** One route's figures over its current step, from a worker to the primary. */
export interface StepFigures {
  readonly id: string;
  readonly step: number;
  readonly stats: StepStats;
}

/** A route's halted canary (a `halt` window's or a gate's), as the primary tells a worker. */
export interface CanaryHaltNote {
  readonly version: string;
  readonly route: string;
  readonly halted: HaltState;
}

/** The table's halted canaries, one per route label. */
export function canaryHalts(table: RouteTable): CanaryHaltNote[] {
  const out = new Map<string, CanaryHaltNote>();
  for (const r of table.routes) {
    const halted = r.state.canaryHalt?.halted ?? null;
    if (halted !== null && !out.has(r.label)) out.set(r.label, { version: table.version, route: r.label, halted });
  }
  return [...out.values()];
}

export function steppedRoutes(table: RouteTable): SteppedRoute[] {
  const out: SteppedRoute[] = [];
  for (const r of table.routes) {
    const progress = r.state.canaryProgress;
    if (progress === null || r.canary === null) continue;
    out.push({ label: r.label, id: `${r.key} ${r.fingerprint}`, canary: r.canary.upstream.name, primary: r.upstream.name, progress });
  }
  return out;
}

export function stepSnapshots(table: RouteTable): StepSnapshot[] {
  return steppedRoutes(table).map((r) => ({ id: r.id, ...r.progress.snapshot() }));
}

export function stepFigures(table: RouteTable): StepFigures[] {
  return steppedRoutes(table).map((r) => ({ id: r.id, step: r.progress.step, stats: r.progress.stats() }));
}

/** Applies the decider's snapshots to the routes running the same state; returns what changed. */
export function applyStepSnapshots(table: RouteTable, snapshots: readonly StepSnapshot[]): { route: SteppedRoute; change: 'step' | 'halt'; snapshot: StepSnapshot }[] {
  const byId = new Map(snapshots.map((s) => [s.id, s]));
  const changes: { route: SteppedRoute; change: 'step' | 'halt'; snapshot: StepSnapshot }[] = [];
  for (const r of steppedRoutes(table)) {
    const s = byId.get(r.id);
    if (s === undefined) continue;
    const change = r.progress.applySnapshot(s);
    if (change !== null) changes.push({ route: r, change, snapshot: s });
  }
  return changes;
}
